// The relay as users run it, for the relay scenarios of `npm run bench` (issue 13: "measure what users
// run"): the built app's CLI (out/main/cli.js, which loads the whole app) on both sides, beside the lean
// relay-node.ts processes that stay as the engine-alone reference.
//
//   cli-agent   `porthole relay --config relay.yaml` (its RelayServer in a worker thread, relay-host.ts;
//               the relay's config assigns the public ports: port_list) + `porthole agent --config
//               client.yaml` (name, server, token, tls: true, fingerprint: the relay's, pinned)
//   cli-run     the same `porthole relay` (the agent may ask for the public ports: allow_ports) + the
//               agent inside `porthole run --profile` (the service core, as `porthole ui` and the desktop
//               app run it): one relay-expose rule per public port, the relay with its token and pinned
//               fingerprint in the profile, plus RUN_OTHER_RULES idle tcp-forward rules
//   cli-run-h2  cli-run with the relay's `limits: max_data_connections: 0` (every public connection on an
//               HTTP/2 stream, as relays before data connections): the like-for-like reference for the
//               connection-rate target, measured in the connections/s scenarios only (cpsOnly)
//
// Both processes run under node --trace-gc: every isolate (main thread, the relay's worker thread, the
// data plane's worker) prints its collections, and trace-gc.mjs's fullGcCount() counts the full ones (Mark-Compact).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from './config.mjs';
import { GC_TRACE_LINE, RUN_OTHER_RULES, startPortholeRun } from './porthole-run.mjs';
import { fileHas, freeTcpPort, getTmpDir, isBound, lastWords, logPath, spawnProc, stopProc, waitFor } from './procs.mjs';

export const CLI_CONTENDERS = [
  {
    id: 'cli-agent',
    label: '`porthole relay --config relay.yaml` + `porthole agent --config client.yaml` (the built CLI on both sides, TLS, the agent pinning the relay\'s fingerprint; public ports from the relay\'s port_list)',
    short: 'porthole relay + porthole agent',
  },
  {
    id: 'cli-run',
    label: `\`porthole relay\` + the agent inside \`porthole run --profile\` (the service core: a relay-expose rule per public port, the relay's token and fingerprint in the profile, ${RUN_OTHER_RULES} idle tcp-forward rules beside)`,
    short: `porthole relay + porthole run (${RUN_OTHER_RULES} other rules)`,
  },
  {
    id: 'cli-run-h2',
    label: `the same \`porthole relay\` + \`porthole run\` with the relay's \`limits: max_data_connections: 0\` (every public connection on an HTTP/2 stream, as relays before data connections): the connection-rate reference as users run it, measured in the connections/s scenarios only`,
    short: 'porthole relay (no data connections) + porthole run',
    cpsOnly: true,
  },
];
export const CLI_IDS = CLI_CONTENDERS.map((c) => c.id);

const NODE_ARGS = ['--trace-gc'];
const AGENT = 'bench';

/** waitFor, with the process's last words in the error. */
async function waitLogged(what, predicate, entry, file, timeoutMs) {
  try {
    await waitFor(what, predicate, entry, timeoutMs);
  } catch (err) {
    throw new Error(`${err.message}: ${lastWords(file, { skip: GC_TRACE_LINE })} (log ${file})`, { cause: err });
  }
}

/** `porthole relay` with a config of its own; `agent` is the YAML of its one agent entry. */
async function startCliRelay(name, dir, token, agent, extra = '') {
  const port = await freeTcpPort();
  const cfg = path.join(dir, 'relay.yaml');
  writeFileSync(cfg, `bind: "127.0.0.1:${port}"\ntoken: "${token}"\ntls: true\npublic_host: "127.0.0.1"\n${extra}proxy:\n  - remote_name: ${AGENT}\n${agent}`);
  const file = logPath(`${name}-relay`);
  const relay = spawnProc(`${name}-relay`, process.execPath, [...NODE_ARGS, CLI, 'relay', '--config', cfg, '--data-dir', path.join(dir, 'relay-data')], { logFile: file });
  relay.logFile = file;
  await waitLogged(`${name}: porthole relay`, () => fileHas(file, /Porthole relay listening on/) && fileHas(file, /fingerprint: \S+/), relay, file, 20_000);
  const fingerprint = /Certificate SHA-256 fingerprint: (\S+)/.exec(readFileSync(file, 'utf8'))?.[1];
  if (!fingerprint) throw new Error(`${name}: porthole relay printed no certificate fingerprint (${lastWords(file, { skip: GC_TRACE_LINE })})`);
  return { relay, port, fingerprint };
}

/**
 * One contender of CLI_CONTENDERS exposing each { pub, target } pair: { relay, agent, stop() }, each
 * entry with its logFile. On any failure every process it started is stopped before the error is thrown.
 */
export async function startCliPair(kind, name, pairs) {
  const dir = path.join(getTmpDir(), name);
  mkdirSync(dir, { recursive: true });
  const token = randomBytes(24).toString('hex');
  const started = [];
  const stop = async () => {
    for (const e of started.reverse()) await stopProc(e, 3000);
  };
  try {
    const bound = () => pairs.every((p) => isBound(p.pub, 'tcp'));
    if (kind === 'cli-agent') {
      const ports = pairs.map((p) => `      - { type: tcp, bind: "127.0.0.1:${p.pub}", remote: ${p.target} }\n`).join('');
      const r = await startCliRelay(name, dir, token, `    port_list:\n${ports}`);
      started.push(r.relay);
      const client = path.join(dir, 'client.yaml');
      writeFileSync(client, `name: "${AGENT}"\nserver: "127.0.0.1:${r.port}"\ntoken: "${token}"\ntls: true\nfingerprint: "${r.fingerprint}"\n`);
      const file = logPath(`${name}-agent`);
      const agent = spawnProc(`${name}-agent`, process.execPath, [...NODE_ARGS, CLI, 'agent', '--config', client, '--data-dir', path.join(dir, 'agent-data')], { logFile: file });
      agent.logFile = file;
      started.push(agent);
      await waitLogged(`${name}: porthole agent connected, public ports bound`, () => fileHas(file, /connected to /) && bound(), agent, file, 20_000);
      return { relay: r.relay, agent, stop };
    }
    if (kind !== 'cli-run' && kind !== 'cli-run-h2') throw new Error(`unknown CLI contender ${kind}`);
    const noData = kind === 'cli-run-h2' ? 'limits:\n  max_data_connections: 0\n' : '';
    const r = await startCliRelay(name, dir, token, `    allow_ports: [${pairs.map((p) => p.pub).join(', ')}]\n`, noData);
    started.push(r.relay);
    // The limits line comes a few lines after the one startCliRelay waited for.
    if (noData) await waitLogged(`${name}: porthole relay saying its data connections are off`, () => fileHas(r.relay.logFile, /data connections: off/), r.relay, r.relay.logFile, 10_000);
    const relays = [{ ref: 'bench', name: 'bench relay', host: '127.0.0.1', port: r.port, agentName: AGENT, tls: true, fingerprint: r.fingerprint, token }];
    const rules = pairs.map((p) => ({ type: 'relay-expose', name: `measured ${p.pub}`, enabled: true, relay: 'bench', target: { host: '127.0.0.1', port: p.target }, remotePort: p.pub }));
    // startPortholeRun stops its process itself when it does not get ready.
    const agent = await startPortholeRun(`${name}-agent`, { rules, relays, others: RUN_OTHER_RULES, idleTarget: pairs[0].target, nodeArgs: NODE_ARGS, ready: bound });
    started.push(agent);
    return { relay: r.relay, agent, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
