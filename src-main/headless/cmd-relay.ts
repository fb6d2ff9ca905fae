import { randomBytes } from 'node:crypto';
import { formatHostPort, isWildcardHost } from '../../src-shared/format/address';
import { EngineError } from '../engine/engine-error';
import { readPortProxyProfile } from '../profiles/port-proxy-profile';
import { tuneGcForDataPlane } from '../relay/gc-policy';
import { MetricsServer } from '../relay/metrics-server';
import { loadOrCreateRelayIdentity } from '../relay/relay-identity';
import { agentsWithoutToken, agentsWithWeakToken, formatRanges, type RelayPolicy, weakTokenMessage } from '../relay/relay-policy';
import { formatSpan } from '../relay/relay-limits';
import { RelayHost } from '../relay/relay-host';
import { resolveDataDir } from '../store/data-dir';
import { UsageError, parseArgs } from './args';
import { superviseRelay } from './relay-supervisor';
import { untilSignal } from './signals';
import { maskSecrets } from '../../src-shared/format/mask-secrets';

const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const warn = (line: string) => process.stderr.write(`${new Date().toISOString()} WARNING: ${line}\n`);

/** The relay's policy from a port-proxy-shaped server YAML (with Porthole's token/allow_ports keys). */
export function relayPolicyFromFile(file: string): { policy: RelayPolicy; warnings: string[] } {
  const r = readPortProxyProfile(file);
  if (!r.relayServer) {
    throw new UsageError(`${file}: this is a relay agent (client) config — run it with porthole agent --config ${file}`);
  }
  return { policy: r.relayServer, warnings: r.warnings };
}

/** `porthole relay --config FILE` — the relay server for reverse tunnels, in the foreground. */
export async function cmdRelay(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'data-dir'], booleans: ['insecure-no-auth', 'gen-token'] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" — usage: porthole relay --config FILE`);
  if (args.booleans.has('gen-token')) {
    // 24 random bytes (192 bits) as base64url, the same shape as the app's Generate button.
    process.stdout.write(`${randomBytes(24).toString('base64url')}\n`);
    return 0;
  }
  const file = args.values.config;
  if (!file) throw new UsageError('--config FILE is required (a port-proxy server YAML with token: keys)');
  const { policy, warnings } = relayPolicyFromFile(file);
  for (const w of warnings) warn(w);
  const insecure = args.booleans.has('insecure-no-auth');
  const open = agentsWithoutToken(policy);
  if (open.length > 0 && !insecure) {
    throw new UsageError(
      `${file}: agent${open.length === 1 ? '' : 's'} ${open.map((n) => `"${n}"`).join(', ')} ha${open.length === 1 ? 's' : 've'} no token, so anyone could take ${open.length === 1 ? 'its' : 'their'} ports — ` +
        'add `token:` at the top level (shared) or per proxy entry, or pass --insecure-no-auth if this relay is only reachable by you',
    );
  }
  const weak = agentsWithWeakToken(policy);
  if (weak.length > 0) throw new UsageError(weakTokenMessage(weak, file));
  if (open.length > 0) warn(`--insecure-no-auth: agents ${open.join(', ')} are accepted WITHOUT a token — anyone who can reach this relay can claim their ports`);
  const tls = policy.tls !== false;
  if (!tls) warn('tls: false — agents connect in plain TCP: their traffic can be read and changed on the way; use it only on a network you trust');
  // Process-wide V8 flag, set before the relay's thread starts: its isolate moves the bytes.
  tuneGcForDataPlane();
  const dataDir = resolveDataDir(args.values['data-dir']);
  const identity = tls ? await loadOrCreateRelayIdentity(dataDir) : undefined;
  // The relay runs in a worker thread of its own (relay-host.ts): a heap with the relay code only.
  const relay = new RelayHost({
    policy,
    ...(identity ? { identity } : {}),
    insecureNoAuth: insecure,
    // Log lines can quote request paths and peers' words: secrets in them are masked before printing.
    log: (level, m) => (level === 'info' ? say(maskSecrets(m)) : warn(maskSecrets(m))),
  });
  let bound: { host: string; port: number };
  try {
    bound = await relay.start();
  } catch (err) {
    if (err instanceof EngineError) {
      process.stderr.write(`porthole relay: ${err.message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }
  // From here a thread that dies is restarted (or, dying again and again, ends the command non-zero).
  const supervisor = superviseRelay(relay, { log: (level, m) => (level === 'info' ? say(m) : warn(m)) });
  say(`Porthole relay listening on ${formatHostPort(bound.host, bound.port)} (${tls ? 'TLS' : 'plain TCP'}) for ${policy.agents.length} agent${policy.agents.length === 1 ? '' : 's'}`);
  if (identity) {
    say(`${identity.created ? 'Made a new certificate' : 'Certificate'}: ${identity.certFile}`);
    say(`Certificate SHA-256 fingerprint: ${identity.fingerprint}`);
    say('Agents pin it on first connection (or put it in their config as fingerprint:) — compare what they show with this line.');
  }
  if (isWildcardHost(bound.host)) say('Listening on all interfaces: agents can reach this relay from the network.');
  for (const a of policy.agents) {
    const ports = a.ports.map((p) => `${p.type} ${formatHostPort(p.bind.host, p.bind.port)} → agent port ${p.remotePort}`);
    const ranges = a.allowPorts.length > 0 ? [`may ask for ${formatRanges(a.allowPorts)} on ${policy.publicHost ?? '127.0.0.1'}`] : [];
    say(`  agent "${a.name}": ${[...ports, ...ranges].join('; ') || 'no ports'}`);
  }
  const l = relay.limits;
  say(
    `Limits: handshake within ${formatSpan(l.handshakeTimeoutMs)}; ${l.maxPendingHandshakes} handshakes at once, ${l.maxPendingPerAddress} per address; ` +
      `${l.maxFailedHandshakes} failed in ${formatSpan(l.failureWindowMs)} refuse an address for ${formatSpan(l.blockMs)}; ` +
      `public ports: ${l.maxConnections || 'unlimited'} connections each, idle timeout ${l.idleTimeoutMs ? formatSpan(l.idleTimeoutMs) : 'off'}; ` +
      `data connections: ${l.maxDataConnections ? `up to ${l.maxDataConnections} per agent` : 'off (every connection on the agent\'s HTTP/2 connection)'} (limits: in the config)`,
  );
  let metrics: MetricsServer | undefined;
  if (policy.metrics) {
    metrics = new MetricsServer(() => relay.metricsText());
    try {
      const m = await metrics.start(policy.metrics.host, policy.metrics.port);
      say(`Prometheus metrics at http://${formatHostPort(m.host, m.port)}/metrics`);
    } catch (err) {
      supervisor.dispose();
      await relay.stop();
      process.stderr.write(`porthole relay: metrics endpoint: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const end = await Promise.race([untilSignal().then((sig) => ({ sig })), supervisor.fatal.then((why) => ({ why }))]);
  supervisor.dispose();
  if ('why' in end) {
    await metrics?.stop();
    await relay.stop();
    process.stderr.write(`porthole relay: ${end.why}\n`);
    return 1;
  }
  say(`${end.sig}: telling agents the relay is stopping`);
  await metrics?.stop();
  await relay.stop();
  say('relay stopped');
  return 0;
}
