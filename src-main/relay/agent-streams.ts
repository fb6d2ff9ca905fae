import { constants as h2c, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { isIP, connect as netConnect } from 'node:net';
import { connectDeadline } from '../engine/connect-deadline';
import { connectError, connectTimeout } from '../engine/engine-error';
import { type RawTcp, rawTcp, uvError } from '../engine/raw-tcp';
import type { Live } from './agent-context';
import { openServed } from './agent-data-serve';
import type { Exposure } from './exposure';
import { H_EXPOSURE, H_PEER, PATH_TCP, PATH_UDP } from './protocol';
import { RawStreamSplice } from './raw-splice';
import { abortStream, splice, type SpliceHooks } from './splice';
import { UdpPeers } from './udp-peers';

// The HTTP/2 streams the relay opens towards the agent, other than the control stream: one per public
// TCP connection that found no data connection, one per UDP port. Each is served by dialling the
// exposure's target; a stream that names an exposure not announced yet waits for its announcement.

/** Data streams held at most while their exposure's 'welcome'/'exposed' is on its way. */
const MAX_EARLY_STREAMS = 256;

/** A stream for an exposure: served now, or held until the control stream names its exposure. */
export function routeStream(live: Live, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const id = headers[H_EXPOSURE];
  if (typeof id !== 'string') return void stream.close(h2c.NGHTTP2_REFUSED_STREAM);
  const exposure = live.byId.get(id);
  if (exposure) return serveData(exposure, stream, headers);
  // The relay opens a port's streams as soon as the port is open (a UDP port's at once), and HTTP/2
  // sends a new stream's HEADERS ahead of DATA still queued on the control stream: hold the stream
  // until the 'welcome'/'exposed' naming its exposure arrives (the relay resets it if that never comes).
  let held = 0;
  for (const w of live.early.values()) held += w.length;
  if (held >= MAX_EARLY_STREAMS) return void stream.close(h2c.NGHTTP2_REFUSED_STREAM);
  const waiting = live.early.get(id) ?? [];
  const entry = { stream, headers };
  waiting.push(entry);
  live.early.set(id, waiting);
  stream.once('close', () => {
    const w = live.early.get(id);
    const i = w ? w.indexOf(entry) : -1;
    if (i >= 0) w!.splice(i, 1);
    if (w?.length === 0) live.early.delete(id);
  });
}

/** Serves the streams that arrived for exposure `id` before it was named. */
export function releaseEarly(live: Live, id: string, e: Exposure): void {
  live.data?.name(id, e);
  const waiting = live.early.get(id);
  live.early.delete(id);
  for (const w of waiting ?? []) if (!w.stream.closed) serveData(e, w.stream, w.headers);
}

function serveData(exposure: Exposure, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const path = headers[':path'];
  const peer = typeof headers[H_PEER] === 'string' ? headers[H_PEER] : '?';
  if (path === PATH_TCP && exposure.spec.protocol === 'tcp') serveTcp(exposure, stream, peer);
  else if (path === PATH_UDP && exposure.spec.protocol === 'udp') serveUdp(exposure, stream);
  else stream.close(h2c.NGHTTP2_REFUSED_STREAM);
}

/** What a target dialler gets from serveTcp. */
interface TargetDial {
  host: string;
  port: number;
  stream: ServerHttp2Stream;
  timeoutMs: number;
  /** The target answered: respond 200 and get the connection's hooks. */
  open(): SpliceHooks;
  /** The target could not be reached (the dialler has closed what it opened). */
  failed(err: Error): void;
  /** The connection is gone before it was open (its entry leaves the table). */
  finish(): void;
}

function serveTcp(e: Exposure, stream: ServerHttp2Stream, peer: string): void {
  const { host, port } = e.spec.target;
  let closeTarget = (): void => undefined;
  let conn: ReturnType<Exposure['track']> | undefined = e.track(peer, () => {
    closeTarget();
    abortStream(stream);
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
  const dial: TargetDial = {
    host,
    port,
    stream,
    timeoutMs: e.spec.connectTimeoutMs ?? 10_000,
    open: () => {
      stream.respond({ ':status': 200 });
      const h = openServed(e, conn!, peer, started, finish);
      return { fromSocket: (_n, chunk) => h.fromTarget(chunk), fromStream: (_n, chunk) => h.fromClient(chunk), closed: h.closed };
    },
    failed: (err) => {
      const error = connectError(err, host, port);
      if (!stream.closed && !stream.headersSent) stream.respond({ ':status': 502, 'porthole-error': error.code }, { endStream: true });
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      finish();
      e.emit('connection-error', { client: peer, error });
    },
    finish,
  };
  const raw = rawTcp();
  const family = isIP(host);
  closeTarget = raw && family !== 0 ? dialRaw(raw, family, dial) : dialNet(dial);
}

/** Dials the target with net.connect (a name, or where raw handles are not to be had); returns what closes it. */
function dialNet(d: TargetDial): () => void {
  const { host, port, stream } = d;
  const target = netConnect({ host, port, allowHalfOpen: true });
  const late = connectDeadline(target, host, port, d.timeoutMs);
  const timer = setTimeout(() => target.destroy(late()), d.timeoutMs);
  const failConnect = (err: Error) => {
    clearTimeout(timer);
    d.failed(err);
  };
  target.once('error', failConnect);
  stream.once('close', () => {
    if (target.connecting) {
      target.destroy();
      d.finish();
    }
  });
  target.once('connect', () => {
    clearTimeout(timer);
    target.off('error', failConnect);
    target.on('error', () => undefined);
    if (stream.closed) {
      target.destroy();
      return d.finish();
    }
    target.setNoDelay(true);
    splice(target, stream, d.open());
  });
  return () => {
    if (target.connecting) {
      clearTimeout(timer);
      d.finish();
    }
    target.destroy();
  };
}

/**
 * Dials a target given as an IP address on a raw TCP handle and splices it to the stream with
 * RawStreamSplice: no net.Socket, as for the relay's public connections (raw-splice.ts). Returns what
 * closes it.
 */
function dialRaw(raw: RawTcp, family: number, d: TargetDial): () => void {
  const { host, port, stream } = d;
  const handle = raw.newSocket();
  let state: 'dialling' | 'closed' | RawStreamSplice = 'dialling';
  const giveUp = () => {
    clearTimeout(timer);
    state = 'closed';
    handle.close();
  };
  const timer = setTimeout(() => {
    giveUp();
    d.failed(connectTimeout(host, port, d.timeoutMs));
  }, d.timeoutMs);
  stream.once('close', () => {
    if (state !== 'dialling') return;
    giveUp();
    d.finish();
  });
  const req = raw.connectReq();
  req.oncomplete = (status: number) => {
    if (state !== 'dialling') return;
    if (status < 0) {
      giveUp();
      return d.failed(uvError(status, 'connect', host, port));
    }
    if (stream.closed) {
      // Closed in this very turn, its 'close' not emitted yet.
      giveUp();
      return d.finish();
    }
    clearTimeout(timer);
    handle.setNoDelay(true);
    state = new RawStreamSplice(raw, handle, stream, d.open());
  };
  const err = family === 6 ? handle.connect6(req, host, port) : handle.connect(req, host, port);
  if (err !== 0) {
    giveUp();
    d.failed(uvError(err, 'connect', host, port));
  }
  return () => {
    if (state === 'dialling') {
      giveUp();
      d.finish();
    } else if (state !== 'closed') {
      state.kill();
    }
  };
}

function serveUdp(e: Exposure, stream: ServerHttp2Stream): void {
  stream.respond({ ':status': 200 });
  const peers = new UdpPeers(e.spec.target, stream, e.meter, {
    opened: (client) => e.emit('connection-open', { client }),
    closed: (client, bytesIn, bytesOut, durationMs) => e.emit('connection-close', { client, bytesIn, bytesOut, durationMs }),
    error: (client, error) => e.emit('connection-error', { client, error }),
  });
  stream.on('close', () => peers.close());
}
