import { ProfileError } from '../profiles/profile-error';
import { HELP, UsageError } from './args';
import { VERSION } from './version';

// Each command's module is loaded only when it runs: a `porthole relay` on a small VPS, or the control
// thread of `porthole forward`, does not carry the SSH client, the browser UI's server, the stores and
// their schemas — a bigger heap that every full collection walks, and resident memory for nothing.

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
        return await (await import('./cmd-forward')).cmdForward(rest);
      case 'run':
        return await (await import('./cmd-host')).cmdHost('run', rest);
      case 'ui':
        return await (await import('./cmd-host')).cmdHost('ui', rest);
      case 'relay':
        return await (await import('./cmd-relay')).cmdRelay(rest);
      case 'agent':
        return await (await import('./cmd-agent')).cmdAgent(rest);
      case 'import':
        return await (await import('./cmd-import')).cmdImport(rest);
      case 'inspect':
        return await (await import('./cmd-inspect')).cmdInspect(rest);
      case 'upnp':
        return await (await import('./cmd-upnp')).cmdUpnp(rest);
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
