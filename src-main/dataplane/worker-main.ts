import { parentPort, workerData } from 'node:worker_threads';
import { AgentSessionTable } from './agent-sessions';
import { EventOutbox } from './event-outbox';
import { startIdleGc } from './idle-gc';
import { ListenerTable, toWireError } from './listeners';
import { DATA_PLANE_PROTOCOL, type PlaneEvent, type PlaneMessage, type PlaneRequest } from './protocol';
import { checkRequest } from './protocol-checks';

// Entry of the data plane: a worker thread started by DataPlane (data-plane.ts), bundled on its own
// (out/main/dataplane-worker.js) so that it loads the engine and the relay agent's data connections and
// nothing else — no zod, ssh2, yaml, conf or ws. Its heap stays a few MB, which keeps the garbage collections that Node's per-read
// buffers cause cheap and rare. It also runs as a child process with an IPC channel (process.send),
// which is how the thread was measured against a process (bench/tools/isolate-compare.mjs).

interface Port {
  post(m: PlaneMessage): void;
  onMessage(fn: (m: unknown) => void): void;
}

function openPort(): Port | undefined {
  const thread = parentPort;
  if (thread) return { post: (m) => thread.postMessage(m), onMessage: (fn) => thread.on('message', fn) };
  const send = process.send?.bind(process);
  if (!send) return undefined;
  // A child process ends with its parent's channel.
  process.on('disconnect', () => process.exit(0));
  return { post: (m) => send(m), onMessage: (fn) => process.on('message', fn) };
}

const port = openPort();
const options = (workerData ?? {
  protocol: Number(process.env.PORTHOLE_DATA_PLANE_PROTOCOL),
  idleGc: process.env.PORTHOLE_IDLE_GC !== '0',
}) as {
  protocol?: unknown;
  idleGc?: unknown;
};

if (!port) {
  process.stderr.write('porthole data plane: start it through Porthole (it needs a parent thread or an IPC channel)\n');
  process.exitCode = 2;
} else if (options.protocol !== DATA_PLANE_PROTOCOL) {
  process.stderr.write(`porthole data plane: protocol ${String(options.protocol)} asked, ${DATA_PLANE_PROTOCOL} spoken — reinstall Porthole\n`);
  process.exit(2);
} else {
  serve(port, options.idleGc !== false);
}

function serve(port: Port, idleGc: boolean): void {
  // Events go in batches (see EventOutbox): a burst or a stream of connections costs a few messages, not two each.
  const outbox = new EventOutbox((events) => port.post({ t: 'events', events }));
  const flush = outbox.flush;
  // Connections opened, for the idle collector (it leaves growth from connection churn to V8).
  let opened = 0;
  const emit = (e: PlaneEvent): void => {
    if (e.e === 'open' || e.e === 'relay-open') opened++;
    outbox.push(e);
  };
  const table = new ListenerTable(emit);
  const agents = new AgentSessionTable(emit);
  const session = (lid: number) => {
    const a = agents.get(lid);
    if (!a) throw new Error(`no agent session ${lid} in the data plane`);
    return a;
  };
  // Garbage that connections leave in the old generation is collected between transfers (idle-gc.ts).
  if (idleGc) startIdleGc(() => opened);

  const answer = async (req: PlaneRequest): Promise<unknown> => {
    switch (req.op) {
      case 'start':
        return table.start(req.lid, req.spec);
      case 'stop':
        agents.stop(req.lid);
        await table.stop(req.lid);
        return null;
      case 'agent-start':
        agents.start(req.lid, req.spec);
        return null;
      case 'agent-grant':
        session(req.lid).grant(req.ids, req.exp);
        return null;
      case 'agent-expose':
        session(req.lid).expose(req.exposure);
        return null;
      case 'agent-unexpose':
        session(req.lid).unexpose(req.x);
        return null;
      case 'agent-drain':
        return session(req.lid).drain();
      case 'agent-connections':
        return agents.get(req.lid)?.rows(req.x) ?? [];
      case 'agent-close':
        return agents.get(req.lid)?.close(req.x, req.id) ?? false;
      case 'agent-stats':
        return session(req.lid).stats();
      case 'connections':
        return table.rows(req.lid);
      case 'close-connection':
        return table.close(req.lid, req.id);
      case 'ping':
        return {};
    }
  };

  port.onMessage((raw) => {
    let req: PlaneRequest;
    try {
      req = checkRequest(raw);
    } catch (err) {
      const rid = (raw as { rid?: unknown } | null)?.rid;
      const error = { code: 'INTERNAL' as const, message: `The data plane got an invalid request (${(err as Error).message})` };
      // Without a usable request id nobody waits for an answer; say so where a person can see it.
      if (typeof rid === 'number' && Number.isInteger(rid) && rid >= 0) port.post({ t: 'reply', rid, ok: false, error });
      else process.stderr.write(`porthole data plane: ${error.message}\n`);
      return;
    }
    answer(req).then(
      (value) => {
        // Events raised before the answer (e.g. the last closes of a stopped listener) go first.
        flush();
        port.post({ t: 'reply', rid: req.rid, ok: true, value });
      },
      (err: unknown) => {
        flush();
        port.post({ t: 'reply', rid: req.rid, ok: false, error: toWireError(err) });
      },
    );
  });
  port.post({ t: 'ready', protocol: DATA_PLANE_PROTOCOL });
}
