import { join } from 'node:path';
import { formatHostPort } from '../../src-shared/format/address';
import { formatBytes } from '../../src-shared/format/units';
import { readPortProxyProfile } from '../profiles/port-proxy-profile';
import { DataPlane } from '../dataplane/data-plane';
import { tuneGcForDataPlane } from '../relay/gc-policy';
import { type Exposure, type ExposureSpec, RelayAgent } from '../relay/relay-agent';
import { RelayPins } from '../relay/relay-pins';
import { resolveDataDir } from '../store/data-dir';
import { InspectOptionSchema } from '../../src-shared/model/inspector';
import { InspectorService } from '../service/inspector-service';
import { UsageError, parseArgs } from './args';
import { startControlServer } from '../api/control-socket';
import { untilSignal } from './signals';
import { VERSION } from './version';
import { maskSecrets } from '../../src-shared/format/mask-secrets';
import { MIN_TOKEN_LENGTH, TOKEN_HOW_TO, tokenTooShort } from '../../src-shared/model/relay';

const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const warn = (line: string) => process.stderr.write(`${new Date().toISOString()} WARNING: ${line}\n`);

/** `porthole agent --config FILE` — a relay agent from a port-proxy client YAML (name, server, token). */
export async function cmdAgent(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'data-dir'], booleans: ['insecure-no-auth'] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" — usage: porthole agent --config FILE`);
  const file = args.values.config;
  if (!file) throw new UsageError('--config FILE is required (a port-proxy client YAML: name, server, token)');
  const r = readPortProxyProfile(file);
  const relay = r.relays[0];
  if (r.format !== 'port-proxy-client' || !relay) {
    throw new UsageError(`${file}: this is a relay server config — run it with porthole relay --config ${file}`);
  }
  for (const w of r.warnings) if (!/decides which ports/.test(w)) warn(w);
  const insecure = args.booleans.has('insecure-no-auth');
  if (relay.token === undefined && !insecure) {
    throw new UsageError(`${file}: no token: — add the token the relay's config gives agent "${relay.agentName}" (or pass --insecure-no-auth for a relay started that way)`);
  }
  if (tokenTooShort(relay.token)) {
    throw new UsageError(`${file}: the token has ${relay.token!.length} characters; Porthole's relay needs at least ${MIN_TOKEN_LENGTH} so that it cannot be guessed — ${TOKEN_HOW_TO} on the relay, and put the same in both configs`);
  }
  if (relay.tls === false) warn('tls: false — plain TCP to the relay: traffic can be read and changed on the way');
  tuneGcForDataPlane();
  const dataDir = resolveDataDir(args.values['data-dir']);
  const agentName = relay.agentName ?? relay.name;
  // `type: http` exposures (the agent's own, or ports the relay's config assigns) are inspected:
  // `porthole inspect` on this data dir follows what they record.
  const inspector = new InspectorService();
  const inspectOn = InspectOptionSchema.parse({ enabled: true });
  const inspected = new Map<string, string>();
  const tapFor = (spec: ExposureSpec) => {
    if (spec.kind !== 'http' || spec.protocol !== 'tcp') return undefined;
    const name = spec.name ?? spec.ref;
    inspected.set(spec.ref, name);
    return inspector.tapFor({ id: spec.ref, name, inspect: inspectOn, target: spec.target }, (m) => say(`${name}: ${m}`));
  };
  // Data connections (one per public TCP connection) move their bytes in the data plane's thread, away
  // from this process's CLI, parser and inspector modules — as in `porthole run` and the app.
  const plane = new DataPlane();
  const agent = new RelayAgent({
    dataPlane: plane,
    relay: { host: relay.host, port: relay.port },
    agent: agentName,
    token: relay.token ?? '',
    tls: relay.tls !== false,
    ...(relay.fingerprint ? { fingerprint: relay.fingerprint } : {}),
    pins: new RelayPins(join(dataDir, 'known_relays')),
    acceptAssigned: true,
    software: `porthole ${VERSION} (${process.platform})`,
    // Log lines can quote request paths and peers' words: secrets in them are masked before printing.
    log: (level, m) => (level === 'info' ? say(maskSecrets(m)) : warn(maskSecrets(m))),
    assignedTap: tapFor,
  });
  const watch = (e: Exposure) => {
    const what = `${e.spec.protocol} ${formatHostPort(e.spec.target.host, e.spec.target.port)}`;
    e.on('bound', (info) => say(`exposed ${what} as ${formatHostPort(info.publicHost, info.publicPort)} on the relay`));
    e.on('failed', (err) => warn(`cannot expose ${what}: ${err.message} [${err.code}]`));
    e.on('connection-error', (c) => warn(`${what}: connection from ${c.client} failed: ${c.error.message} [${c.error.code}]`));
    e.on('http', (x) => say(`${what} ${x.client} ${x.method} ${x.path} → ${x.status || 'no response'} (${x.durationMs} ms)`));
  };
  for (const x of r.exposes) {
    const spec: ExposureSpec = {
      ref: `expose-${x.remotePort || 'auto'}-${x.localPort}-${x.protocol}`,
      ...(x.name ? { name: x.name } : {}),
      protocol: x.protocol,
      kind: x.kind ?? 'tcp',
      remotePort: x.remotePort,
      target: { host: x.localHost, port: x.localPort },
    };
    const tap = tapFor(spec);
    watch(agent.expose(tap ? { ...spec, tap } : spec));
  }
  const control = await startControlServer(dataDir, 'agent', {
    host: 'porthole agent',
    inspector,
    rules: () => [...inspected].map(([id, name]) => ({ id, name, inspected: true })),
  }).catch((err: unknown) => {
    warn(`porthole inspect will not reach this agent: its control socket could not be opened (${(err as Error).message})`);
    return undefined;
  });
  let failed: ((code: number) => void) | undefined;
  const fatal = new Promise<number>((resolve) => (failed = resolve));
  agent.on('state', (s) => {
    if (s === 'ready') {
      say(`connected to ${agent.label} as agent "${agentName}"${agent.fingerprint ? ` (certificate ${agent.fingerprint})` : ''}`);
      for (const e of agent.assigned()) say(`serving ${e.spec.name ?? e.spec.ref}`);
    }
  });
  agent.on('down', (err) => {
    if (agent.state === 'failed') {
      process.stderr.write(`porthole agent: ${err.message} [${err.code}]\n`);
      failed?.(1);
    } else {
      warn(`${err.message} [${err.code}]${agent.nextRetryAt ? ` — next try in ${Math.max(0, Math.round((agent.nextRetryAt - Date.now()) / 100) / 10)} s` : ''}`);
    }
  });
  agent.start();
  say(`agent "${agentName}" connecting to ${agent.label}${r.exposes.length > 0 ? ` to expose ${r.exposes.length} port${r.exposes.length === 1 ? '' : 's'}` : ''}`);
  const outcome = await Promise.race([fatal, untilSignal().then(() => 0)]);
  const totals = [...agent.exposures(), ...agent.assigned()].reduce((t, e) => {
    // Bytes moved in this thread and in the data plane.
    const m = e.snapshot();
    return { i: t.i + m.bytesIn, o: t.o + m.bytesOut };
  }, { i: 0, o: 0 });
  await control?.close();
  inspector.dispose();
  await agent.close();
  await plane.close();
  say(`agent stopped: ${formatBytes(totals.i)} in, ${formatBytes(totals.o)} out`);
  return outcome;
}
