import type { Socket } from 'node:net';
import type { ByteMeter } from '../engine/byte-meter';
import { abortSocket } from '../engine/abort-socket';
import { checkDataReply, type DataDial } from './data-protocol';
import { RawReader } from './handshake';
import { type LineLog, type LogLine, said } from '../../src-shared/model/log-text';
import { type HttpExchange, HttpExchangeLog } from './http-log';
import { encodeFrame } from './protocol';
import { DATA_POOL_DEFAULTS, DataPool, type DataPoolOptions, earner } from './relay-data-pool';
import type { PublicConn } from './relay-session';
import { joinSockets } from './socket-join';

export type DataLog = LineLog;

/** One HTTP exchange through a relay's public port, as the relay logs it. */
export function httpLine(agent: string, address: string, client: string, x: HttpExchange): [string, LogLine] {
  const fields = { agent, address, client, method: x.method, path: x.path, durationMs: x.durationMs };
  return x.status ? said('relayHttp', { ...fields, status: x.status }) : said('relayHttpNoResponse', fields);
}

/** How long the relay waits for the agent's verdict on a public connection (its target's connect timeout is 10 s). */
export const DATA_REPLY_TIMEOUT_MS = 30_000;

/**
 * The relay's side of data connections (data-protocol.ts): one pool per agent session that accepted
 * them, found again by session id when a data connection presents its ticket.
 */
export class RelayDataPlane {
  private readonly pools = new Map<string, DataPool>();
  private warnedPlain = false;

  constructor(
    private readonly opts: { tls: boolean; pool?: Partial<DataPoolOptions>; log: DataLog },
  ) {}

  /** A pool for a session whose agent accepted data connections; tickets go out through `grant`. */
  open(session: string, key: Buffer, grant: (ids: number[], exp: number) => void): DataPool {
    const pool = new DataPool(session, key, grant, { ...DATA_POOL_DEFAULTS, ...this.opts.pool });
    this.pools.set(session, pool);
    pool.start();
    return pool;
  }

  /** Closes the session's pool and every ready data connection in it (session ended or replaced). */
  close(session: string): void {
    this.pools.get(session)?.close();
    this.pools.delete(session);
  }

  /**
   * A data connection that passed the handshake's deadline and framing: admits it to its session's
   * pool, or tells the agent why not, closes it and returns the reason (a failed attempt for the caller).
   */
  admit(socket: Socket, dial: DataDial, binding: Buffer, from: string): string | undefined {
    const pool = this.pools.get(dial.session);
    const why = pool ? pool.admit(socket, dial, binding) : 'no such session (it ended, or it never accepted data connections)';
    if (why) {
      if (socket.writable) socket.end(encodeFrame({ error: { code: 'AUTH_FAILED', message: `data connection refused: ${why}` } }));
      socket.destroy();
      return why;
    }
    socket.write(encodeFrame({ ready: true }));
    if (!this.opts.tls && !this.warnedPlain) {
      this.warnedPlain = true;
      this.opts.log('warn', ...said('relayDataPlain', { from }));
    }
    return undefined;
  }
}

export interface CarryHooks {
  fromClient?(chunk: Buffer): void;
  fromAgent?(chunk: Buffer): void;
  /** The agent could not reach its target (its reason), or the data connection failed before it said. */
  refused(reason: string): void;
  closed(aborted: boolean): void;
}

/**
 * Carries one public connection on a data connection taken from the pool: the open frame, then the
 * client's bytes at once (no round trip before the first request); the agent's bytes once it has said
 * its target answered. After that the two sockets are joined with nothing in between.
 */
export function carryOnDataConn(pub: Socket, data: Socket, exposure: string, peer: string, hooks: CarryHooks): void {
  data.allowHalfOpen = true;
  data.on('error', () => undefined);
  data.write(encodeFrame({ open: exposure, peer }));
  const join = joinSockets(pub, data, { fromA: hooks.fromClient, fromB: hooks.fromAgent, closed: hooks.closed }, { holdB: true });
  const reader = new RawReader(data, DATA_REPLY_TIMEOUT_MS);
  data.resume();
  reader
    .readChecked(checkDataReply, 'agent reply')
    .then((reply) => {
      reader.detach();
      if ('error' in reply) {
        hooks.refused(`${reply.error.code}: ${reply.error.message}`);
        abortSocket(pub);
        data.destroy();
        return;
      }
      join.releaseB();
    })
    .catch((err: Error) => {
      reader.detach();
      if (!pub.destroyed) hooks.refused(err.message);
      abortSocket(pub);
      data.destroy();
    });
}

/** What carrying a public connection needs of its port (relay-session.ts's PublicPort). */
export interface CarrierPort {
  readonly id: string;
  readonly kind: 'tcp' | 'http';
  readonly address: string;
  readonly meter: ByteMeter;
  readonly conns: Map<number, unknown>;
  track(client: string, kill: () => void): PublicConn;
  connectionClosed(c: PublicConn): void;
}

/**
 * A public connection of `port` on a data connection from `pool`: tracked, metered and logged like
 * one on an HTTP/2 stream (relay-public.ts onPublicConnection), with the same idle timeout.
 */
export function carryPublic(port: CarrierPort, agent: string, sock: Socket, data: Socket, client: string, o: { pool: DataPool; idleTimeoutMs: number; log: DataLog }): void {
  const conn = port.track(client, () => {
    sock.destroy();
    data.destroy();
  });
  if (o.idleTimeoutMs > 0) sock.setTimeout(o.idleTimeoutMs, () => conn.kill());
  port.meter.activeConnections++;
  port.meter.totalConnections++;
  const http = port.kind === 'http' ? new HttpExchangeLog((x) => o.log('info', ...httpLine(agent, port.address, client, x))) : undefined;
  const earn = earner(o.pool, conn);
  carryOnDataConn(sock, data, port.id, client, {
    fromClient: (chunk) => {
      port.meter.bytesIn += chunk.length;
      conn.bytesIn += chunk.length;
      http?.request(chunk);
      earn();
    },
    fromAgent: (chunk) => {
      port.meter.bytesOut += chunk.length;
      conn.bytesOut += chunk.length;
      http?.response(chunk);
      earn();
    },
    refused: (why) => o.log('info', ...said('relayAgentNoLocal', { agent, address: port.address, error: why, client })),
    closed: () => {
      http?.close();
      port.connectionClosed(conn);
    },
  });
}
