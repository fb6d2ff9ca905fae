// The relay's worker thread (out/main/relay-worker.js) started the way RelayHost starts it, in a
// process that sets no V8 flag: what the in-app relay of the desktop app, `porthole ui` and `porthole
// run` gets (they do not call gc-policy.ts, and a worker cannot be given V8 flags of its own). Used by
// relay-cli-compare.mjs (`--b worker:DIR`) to measure that isolate at V8's default garbage collection.
//
//   node relay-worker-node.mjs OUT_MAIN_DIR CONFIG_JSON     CONFIG_JSON: { relayPort, pub, target, token, dir }
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const [outMain, json] = process.argv.slice(2);
const { relayPort, pub, target, token, dir } = JSON.parse(json);
const certFile = path.join(dir, 'relay-cert.pem');
const keyFile = path.join(dir, 'relay-key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=Porthole relay'], { stdio: 'ignore' });
const cert = readFileSync(certFile, 'utf8');
const identity = { cert, key: readFileSync(keyFile, 'utf8'), fingerprint: new X509Certificate(cert).fingerprint256, created: true, certFile };
const policy = { bind: { host: '127.0.0.1', port: relayPort }, tls: true, agents: [{ name: 'bench', token, ports: [{ type: 'tcp', bind: { host: '127.0.0.1', port: pub }, remotePort: target }], allowPorts: [] }] };
const worker = new Worker(path.join(outMain, 'relay-worker.js'), { workerData: { protocol: 1, statusIntervalMs: 1000, options: { policy, identity } }, resourceLimits: { maxOldGenerationSizeMb: 512, ...(process.env.BENCH_RELAY_YOUNG_MB ? { maxYoungGenerationSizeMb: Number(process.env.BENCH_RELAY_YOUNG_MB) } : {}) } });
worker.on('message', (m) => {
  if (m.t === 'ready') worker.postMessage({ op: 'start', rid: 1 });
  else if (m.t === 'reply' && m.rid === 1) console.log(m.ok ? `Porthole relay listening on 127.0.0.1:${relayPort}` : `start failed: ${m.error.message}`);
  else if (m.t === 'log') console.log(m.message);
});
worker.on('error', (err) => console.error(err));
process.on('SIGTERM', () => void worker.terminate().then(() => process.exit(0)));
