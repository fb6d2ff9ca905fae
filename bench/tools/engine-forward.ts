// A TCP forward hosted in one of several ways, for `npm run bench` (bench/lib/engine-bundle.mjs bundles
// this file with vite, like the app's build, and runs the bundle):
//
//   engine-forward.mjs LISTEN_PORT TARGET_PORT HOST [--load-control] [--worker FILE]
//     HOST inproc   the engine's TcpForwarder on this process's main thread (with --load-control: the
//                   state `porthole forward` was in before the data plane; without: the engine-alone
//                   reference, a process that loads nothing else)
//     HOST worker   the data plane in a worker thread (FILE = out/main/dataplane-worker.js), as the app does
//     HOST child    the same data plane entry in a child process with an IPC channel (the alternative
//                   that was measured against the thread)
//   --load-control  first import every module of the CLI (ssh2, zod, yaml, conf, ws, …), as the app's
//                   control thread does, so that its heap is the app's size.
//
// Prints {"ready":true,...} once listening. Stops on SIGTERM. The bench counts GCs by running it under
// node --trace-gc (a child host inherits the flag through fork's execArgv).
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DATA_PLANE_PROTOCOL, plainTcpListener, type TcpListenerSpec } from '../../src-main/dataplane/protocol';
import { TcpForwarder } from '../../src-main/engine/tcp-forward';

const [listenArg, targetArg, host = 'inproc', ...flags] = process.argv.slice(2);
const listenPort = Number(listenArg);
const targetPort = Number(targetArg);
const workerArg = flags.includes('--worker') ? flags[flags.indexOf('--worker') + 1] : undefined;
const workerFile = workerArg ? resolve(workerArg) : undefined;
const die = (m: string): never => {
  process.stderr.write(`engine-forward: ${m}\n`);
  process.exit(1);
};
if (!Number.isInteger(listenPort) || !Number.isInteger(targetPort)) die('usage: LISTEN_PORT TARGET_PORT [inproc|worker|child] [--load-control] [--worker FILE]');

if (flags.includes('--load-control')) {
  // Everything the CLI bundle loads; kept reachable so nothing is collected or tree-shaken away.
  const cli = await import('../../src-main/headless/run-cli');
  const core = await import('../../src-main/service/core');
  (globalThis as { keep?: unknown }).keep = [cli, core];
}

const spec: TcpListenerSpec = plainTcpListener({ host: '127.0.0.1', port: listenPort }, { host: '127.0.0.1', port: targetPort });
const ready = (extra: object) =>
  process.stdout.write(`${JSON.stringify({ ready: true, host, heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20), ...extra })}\n`);
let stop: () => Promise<void> = async () => undefined;

if (host === 'inproc') {
  const fwd = new TcpForwarder({ listen: spec.listen, target: spec.target });
  fwd.on('listener-error', (e) => die(e.message));
  await fwd.start().catch((e: Error) => die(e.message));
  stop = () => fwd.stop();
  ready({});
} else if (host === 'worker' || host === 'child') {
  if (!workerFile) die('--worker FILE is required');
  const start = { op: 'start', rid: 1, lid: 1, spec };
  const onReply = (m: { t?: string; rid?: number; ok?: boolean; error?: { message: string } }) => {
    if (m.t !== 'reply' || m.rid !== 1) return;
    if (!m.ok) die(m.error?.message ?? 'start failed');
    ready({ pid: host === 'child' ? child?.pid : process.pid });
  };
  let child: ReturnType<typeof fork> | undefined;
  if (host === 'worker') {
    const w = new Worker(workerFile!, { workerData: { protocol: DATA_PLANE_PROTOCOL }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    w.on('message', onReply);
    w.on('exit', (c) => die(`the worker exited (${c})`));
    w.postMessage(start);
    stop = async () => {
      w.removeAllListeners('exit');
      await w.terminate();
    };
  } else {
    child = fork(workerFile!, [], { env: { ...process.env, PORTHOLE_DATA_PLANE_PROTOCOL: String(DATA_PLANE_PROTOCOL) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', onReply);
    child.on('exit', (c) => die(`the child exited (${c})`));
    child.send(start);
    stop = async () => {
      child?.removeAllListeners('exit');
      child?.kill('SIGTERM');
    };
  }
} else die(`unknown host ${host}`);

let stopping = false;
const onSignal = () => {
  if (stopping) return;
  stopping = true;
  void stop().finally(() => process.exit(0));
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
