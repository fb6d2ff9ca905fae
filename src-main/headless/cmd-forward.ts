import { formatHostPort, isWildcardHost, parseHostPort } from '../../src-shared/format/address';
import { formatBytes } from '../../src-shared/format/units';
import { EngineError } from '../engine/engine-error';
import { describePortInUse } from '../engine/port-owner';
import { TcpForwarder } from '../engine/tcp-forward';
import { UdpForwarder } from '../engine/udp-forward';
import { UsageError, parseArgs } from './args';
import { untilSignal } from './signals';
import { UPNP_FLAGS, forwardRouter, normaliseUpnpArgv, parseUpnpOption } from './forward-upnp';

/** `porthole forward [--udp] [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT` — the seed script, done right. */
export async function cmdForward(argv: string[]): Promise<number> {
  const args = parseArgs(normaliseUpnpArgv(argv), { values: ['data-dir', ...UPNP_FLAGS], booleans: ['udp'] });
  const upnp = parseUpnpOption(args.values);
  if (args.positionals.length !== 2) {
    throw new UsageError('expected [LISTEN_HOST:]LISTEN_PORT TARGET_HOST:TARGET_PORT, e.g. porthole forward 10022 192.168.0.10:22');
  }
  const listen = parseHostPort(args.positionals[0]!, '127.0.0.1');
  if (!listen.ok) throw new UsageError(`listen address: ${listen.error}`);
  const target = parseHostPort(args.positionals[1]!);
  if (!target.ok) throw new UsageError(`target address: ${target.error}`);
  const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const udp = args.booleans.has('udp');
  const fwd = udp ? udpForwarder(listen.value, target.value, say) : tcpForwarder(listen.value, target.value, say);
  let bound: { host: string; port: number };
  try {
    bound = await fwd.start();
  } catch (err) {
    if (err instanceof EngineError) {
      const l = listen.value;
      const message = err.code === 'PORT_IN_USE' ? await describePortInUse(udp ? 'udp' : 'tcp', l.host, l.port) : err.message;
      process.stderr.write(`porthole forward: ${message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }
  if (isWildcardHost(listen.value.host)) {
    process.stderr.write(`warning: listening on all interfaces (${listen.value.host}) — anyone on your network can use this port\n`);
  }
  const proto = udp ? 'udp' : 'tcp';
  say(
    `forwarding ${proto} ${formatHostPort(bound.host, bound.port)} → ${formatHostPort(target.value.host, target.value.port)} (Ctrl-C to stop)`,
  );
  // Listening for signals before asking the router, so Ctrl-C during the request still unmaps.
  const signalled = untilSignal();
  const router = upnp && forwardRouter(upnp, { ...bound, protocol: proto }, args.values['data-dir'], say);
  if (router && !(await router.start())) {
    await router.stop();
    await fwd.stop();
    return 1;
  }
  await signalled;
  await router?.stop();
  const m = fwd.meter.snapshot();
  await fwd.stop();
  const what = udp ? 'sessions' : 'connections';
  say(`stopped: ${m.totalConnections} ${what}, ${formatBytes(m.bytesIn)} in, ${formatBytes(m.bytesOut)} out`);
  return 0;
}

type Endpoint = { host: string; port: number };

function tcpForwarder(listen: Endpoint, target: Endpoint, say: (l: string) => void): TcpForwarder {
  const fwd = new TcpForwarder({ listen, target });
  fwd.on('connection-open', (c) => say(`open  #${c.id} from ${c.client}`));
  fwd.on('connection-close', (c) =>
    say(`close #${c.id} from ${c.client}: ${formatBytes(c.bytesIn)} in, ${formatBytes(c.bytesOut)} out, ${c.durationMs} ms`),
  );
  fwd.on('connection-error', (c) => say(`error #${c.id} from ${c.client}: ${c.error.message} [${c.error.code}]`));
  fwd.on('listener-error', (e) => say(`listener failed: ${e.message} [${e.code}]`));
  return fwd;
}

function udpForwarder(listen: Endpoint, target: Endpoint, say: (l: string) => void): UdpForwarder {
  const fwd = new UdpForwarder({ listen, target });
  fwd.on('session-open', (c) => say(`open  #${c.id} from ${c.client}`));
  fwd.on('session-close', (c) =>
    say(`close #${c.id} from ${c.client} (${c.reason}): ${c.packetsIn} datagrams in, ${c.packetsOut} out, ${formatBytes(c.bytesIn)} in, ${formatBytes(c.bytesOut)} out`),
  );
  fwd.on('session-error', (c) => say(`error #${c.id} from ${c.client}: ${c.error.message} [${c.error.code}]`));
  fwd.on('session-refused', (c) => say(`refused ${c.client}: ${c.reason}`));
  fwd.on('listener-error', (e) => say(`listener failed: ${e.message} [${e.code}]`));
  return fwd;
}
