import { connect as netConnect, type Socket } from 'node:net';
import type { ByteMeter } from '../engine/byte-meter';
import { connectDeadline } from '../engine/connect-deadline';
import { connectError } from '../engine/engine-error';
import type { TapFactory } from '../engine/stream-tap';
import { AgentDataConns, type AgentDataOptions } from './agent-data';
import { encodeFrame } from './data-wire';
import { HttpExchangeLog } from './http-log';
import type { Exposure, ExposureEvents } from './relay-agent';
import { joinSockets } from './socket-join';

/**
 * What serving a public connection needs of an exposure: the control thread's Exposure, or the data
 * plane worker's stand-in for it (dataplane/agent-sessions.ts). Loads no package (the worker runs it).
 */
export interface ServedExposure {
  readonly spec: { kind: 'tcp' | 'http'; target: { host: string; port: number }; connectTimeoutMs?: number; tap?: TapFactory };
  readonly meter: ByteMeter;
  readonly conns: { delete(id: number): boolean };
  track(client: string, kill: () => void): { id: number; state: 'connecting' | 'open'; bytesIn: number; bytesOut: number };
  emit<K extends keyof ExposureEvents>(event: K, ...args: ExposureEvents[K]): boolean;
}

/**
 * Serves one public connection that arrived on a data connection (data-protocol.ts): dials the
 * exposure's target, tells the relay whether it answered (the frame the relay waits for before it
 * forwards the agent's bytes), then joins the two sockets with nothing in between. The same events and
 * counters as a connection on an HTTP/2 stream.
 */
export function serveTcpOnData(e: ServedExposure, data: Socket, peer: string): void {
  const { host, port } = e.spec.target;
  const timeoutMs = e.spec.connectTimeoutMs ?? 10_000;
  const target = netConnect({ host, port, allowHalfOpen: true });
  let conn: Served | undefined = e.track(peer, () => {
    // Closed while the target is still being dialled: no join will count it closed.
    if (target.connecting) {
      clearTimeout(timer);
      finish();
    }
    target.destroy();
    data.destroy();
  });
  const started = Date.now();
  e.meter.activeConnections++;
  e.meter.totalConnections++;
  const finish = () => {
    if (!conn) return;
    e.conns.delete(conn.id);
    e.meter.activeConnections--;
    conn = undefined;
  };
  const late = connectDeadline(target, host, port, timeoutMs);
  const timer = setTimeout(() => target.destroy(late()), timeoutMs);
  const failConnect = (err: Error) => {
    clearTimeout(timer);
    const error = connectError(err, host, port);
    if (data.writable) data.end(encodeFrame({ error: { code: error.code, message: error.message.slice(0, 1000) } }));
    setTimeout(() => data.destroy(), 1000).unref();
    finish();
    e.emit('connection-error', { client: peer, error });
  };
  target.once('error', failConnect);
  // The relay gave up (public client gone) while the target was still being dialled.
  const onDataClose = () => {
    if (!target.connecting) return;
    clearTimeout(timer);
    target.destroy();
    finish();
  };
  data.once('close', onDataClose);
  target.once('connect', () => {
    clearTimeout(timer);
    target.off('error', failConnect);
    data.off('close', onDataClose);
    target.on('error', () => undefined);
    if (data.destroyed) {
      target.destroy();
      return finish();
    }
    target.setNoDelay(true);
    data.write(encodeFrame({ ok: true }));
    const h = openServed(e, conn!, peer, started, finish);
    joinSockets(target, data, { fromA: h.fromTarget, fromB: h.fromClient, closed: h.closed });
  });
}

type Served = ReturnType<ServedExposure['track']>;

/**
 * What serving a public connection does once its target answered, on a data connection as on an
 * HTTP/2 stream (agent-streams.ts): marks it open, then counts each chunk, logs HTTP exchanges (`kind:
 * http`), feeds the inspector's tap, and reports the close with its totals.
 */
export function openServed(e: ServedExposure, c: Served, peer: string, started: number, finish: () => void): { fromTarget(chunk: Buffer): void; fromClient(chunk: Buffer): void; closed(): void } {
  c.state = 'open';
  e.emit('connection-open', { client: peer });
  const http = e.spec.kind === 'http' ? new HttpExchangeLog((x) => e.emit('http', { ...x, client: peer })) : undefined;
  const tap = e.spec.tap?.({ id: c.id, client: peer });
  return {
    fromTarget: (chunk) => {
      e.meter.bytesOut += chunk.length;
      c.bytesOut += chunk.length;
      http?.response(chunk);
      tap?.onTargetChunk(chunk);
    },
    fromClient: (chunk) => {
      e.meter.bytesIn += chunk.length;
      c.bytesIn += chunk.length;
      http?.request(chunk);
      tap?.onClientChunk(chunk);
    },
    closed: () => {
      http?.close();
      tap?.onEnd();
      finish();
      e.emit('connection-close', { client: peer, bytesIn: c.bytesIn, bytesOut: c.bytesOut, durationMs: Date.now() - started });
    },
  };
}

/** A session's data connections, serving TCP exposures (UDP stays on the session's HTTP/2 streams). */
export function dataConnsFor(o: Omit<AgentDataOptions<Exposure>, 'serve'>): AgentDataConns<Exposure> {
  return new AgentDataConns<Exposure>({
    ...o,
    serve: (e, socket, peer) => {
      if (e.spec.protocol === 'tcp') serveTcpOnData(e, socket, peer);
      else socket.destroy();
    },
  });
}
