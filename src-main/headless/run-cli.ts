import { ProfileError } from '../profiles/profile-error';
import { HELP, UsageError } from './args';
import { cmdAgent } from './cmd-agent';
import { cmdForward } from './cmd-forward';
import { cmdHost } from './cmd-host';
import { cmdImport } from './cmd-import';
import { cmdInspect } from './cmd-inspect';
import { cmdRelay } from './cmd-relay';
import { cmdUpnp } from './cmd-upnp';
import { VERSION } from './version';

const NOT_YET: Record<string, string> = {};

/** Runs one CLI invocation. Resolves with an exit code, or undefined for long-running commands. */
export async function runCli(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      process.stdout.write(`porthole ${VERSION}\n`);
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return 0;
    }
    switch (command) {
      case 'forward':
        return await cmdForward(rest);
      case 'run':
        return await cmdHost('run', rest);
      case 'ui':
        return await cmdHost('ui', rest);
      case 'relay':
        return await cmdRelay(rest);
      case 'agent':
        return await cmdAgent(rest);
      case 'import':
        return await cmdImport(rest);
      case 'inspect':
        return await cmdInspect(rest);
      case 'upnp':
        return await cmdUpnp(rest);
      default:
        if (command in NOT_YET) {
          process.stderr.write(`porthole ${command}: ${NOT_YET[command]}\n`);
          return 1;
        }
        throw new UsageError(`unknown command "${command}" — run porthole --help`);
    }
  } catch (err) {
    // Bad input: a bad command line, or a profile/config file a reader refused (file:line in the message).
    if (err instanceof UsageError || err instanceof ProfileError) {
      process.stderr.write(`porthole ${command ?? ''}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
