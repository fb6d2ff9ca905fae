import { parentPort, workerData } from 'node:worker_threads';
import { EngineError } from '../engine/engine-error';
import { type RelayLog, RelayServer } from './relay-server';
import { checkWorkerOptions, checkWorkerRequest } from './relay-worker-checks';
import { RELAY_WORKER_PROTOCOL, type RelayWorkerMessage, type RelayWorkerRequest } from './relay-worker-protocol';

// Entry of the relay's worker thread (out/main/relay-worker.js), started by RelayHost (relay-host.ts).
// The whole RelayServer runs here — agent-port listener, handshakes, HTTP/2 control sessions, public
// ports and data connections — because a thread cannot be handed an accepted socket and a data
// connection arrives on the agent port. Bundled on its own so that this heap holds the relay code and
// nothing else — no package, not even zod (protocol-checks.ts checks frames by hand): the per-read
// buffers that moving bytes allocates then meet a small heap, whose garbage collections are cheap (issue 13).

const port = parentPort;
const data = (workerData ?? {}) as { protocol?: unknown; options?: unknown; statusIntervalMs?: unknown };

if (!port) {
  process.stderr.write('porthole relay worker: start it through Porthole (it runs as a worker thread)\n');
  process.exitCode = 2;
} else if (data.protocol !== RELAY_WORKER_PROTOCOL) {
  // Thrown, not logged: the host reports the worker's error as the reason it stopped.
  throw new Error(`relay worker speaks protocol ${RELAY_WORKER_PROTOCOL}, was asked for ${String(data.protocol)} — reinstall Porthole`);
} else {
  const interval = typeof data.statusIntervalMs === 'number' && data.statusIntervalMs >= 50 ? data.statusIntervalMs : 1000;
  serve((m) => port.postMessage(m), (fn) => port.on('message', fn), checkWorkerOptions(data.options), interval);
}

function serve(post: (m: RelayWorkerMessage) => void, onMessage: (fn: (m: unknown) => void) => void, options: ReturnType<typeof checkWorkerOptions>, statusIntervalMs: number): void {
  const log: RelayLog = (level, message, line) => post({ t: 'log', level, message, line });
  const server = new RelayServer({ ...options, log });

  // 'changed' comes in bursts (an agent and its ports): one status message per turn of the loop.
  let pushing = false;
  let changed = false;
  const push = (): void => {
    pushing = false;
    post({ t: 'status', status: server.status(), changed });
    changed = false;
  };
  const schedule = (isChange: boolean): void => {
    changed ||= isChange;
    if (!pushing) {
      pushing = true;
      setImmediate(push);
    }
  };
  server.on('changed', () => schedule(true));
  let ticker: NodeJS.Timeout | undefined;

  const answer = async (req: RelayWorkerRequest): Promise<unknown> => {
    switch (req.op) {
      case 'start': {
        const bound = await server.start();
        // Byte counters change without 'changed' (it is not sent per byte): a steady push moves them.
        ticker ??= setInterval(() => schedule(false), statusIntervalMs);
        schedule(true);
        return bound;
      }
      case 'stop':
        clearInterval(ticker);
        ticker = undefined;
        await server.stop();
        return null;
      case 'status':
        return server.status();
      case 'metrics':
        return server.metricsText();
    }
  };

  onMessage((raw) => {
    let req: RelayWorkerRequest;
    try {
      req = checkWorkerRequest(raw);
    } catch (err) {
      // The host sent something this worker does not understand: a build mismatch, not a user error.
      throw new Error(`relay worker got an invalid request (${(err as Error).message})`, { cause: err });
    }
    answer(req).then(
      (value) => post({ t: 'reply', rid: req.rid, ok: true, value }),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ t: 'reply', rid: req.rid, ok: false, error: { code: e instanceof EngineError ? e.code : '', message: e.message } });
      },
    );
  });
  post({ t: 'ready', protocol: RELAY_WORKER_PROTOCOL });
}
