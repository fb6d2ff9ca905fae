import { formatHostPort, isWildcardHost, parseHostPort } from '../../src-shared/format/address';
import { formatBytes } from '../../src-shared/format/units';
import { EngineError } from '../engine/engine-error';
import { TcpForwarder } from '../engine/tcp-forward';
import { UsageError, parseArgs } from './args';
import { untilSignal } from './signals';

/** `porthole forward [--udp] [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT` — the seed script, done right. */
export async function cmdForward(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['data-dir'], booleans: ['udp'] });
  if (args.positionals.length !== 2) {
    throw new UsageError('expected [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT, e.g. porthole forward 10022 192.168.0.10:22');
  }
  const listen = parseHostPort(args.positionals[0]!, '127.0.0.1');
  if (!listen.ok) throw new UsageError(`listen address: ${listen.error}`);
  const target = parseHostPort(args.positionals[1]!);
  if (!target.ok) throw new UsageError(`target address: ${target.error}`);
  if (args.booleans.has('udp')) {
    process.stderr.write('porthole forward: UDP forwarding is not available in this version yet\n');
    return 1;
  }
  const fwd = new TcpForwarder({ listen: listen.value, target: target.value });
  const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  fwd.on('connection-open', (c) => say(`open  #${c.id} from ${c.client}`));
  fwd.on('connection-close', (c) =>
    say(`close #${c.id} from ${c.client}: ${formatBytes(c.bytesIn)} in, ${formatBytes(c.bytesOut)} out, ${c.durationMs} ms`),
  );
  fwd.on('connection-error', (c) => say(`error #${c.id} from ${c.client}: ${c.error.message} [${c.error.code}]`));
  fwd.on('listener-error', (e) => say(`listener failed: ${e.message} [${e.code}]`));
  let bound: { host: string; port: number };
  try {
    bound = await fwd.start();
  } catch (err) {
    if (err instanceof EngineError) {
      process.stderr.write(`porthole forward: ${err.message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }
  if (isWildcardHost(listen.value.host)) {
    process.stderr.write(`warning: listening on all interfaces (${listen.value.host}) — anyone on your network can use this port\n`);
  }
  say(
    `forwarding ${formatHostPort(bound.host, bound.port)} → ${formatHostPort(target.value.host, target.value.port)} (Ctrl-C to stop)`,
  );
  await untilSignal();
  const m = fwd.meter.snapshot();
  await fwd.stop();
  say(`stopped: ${m.totalConnections} connections, ${formatBytes(m.bytesIn)} in, ${formatBytes(m.bytesOut)} out`);
  return 0;
}
