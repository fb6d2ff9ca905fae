import { createSocket } from 'node:dgram';
import { type ClientHttp2Stream, constants as h2c } from 'node:http2';
import { createServer as createNetServer, isIPv6, type Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import { said } from '../../src-shared/model/log-text';
import { abortSocket } from '../engine/abort-socket';
import { socketOnHandle } from '../engine/adopt-accepted';
import { ByteMeter } from '../engine/byte-meter';
import { handlePeer } from '../engine/client-address';
import { listenError } from '../engine/engine-error';
import { listenOn } from '../engine/listen';
import { closeHandle, RawAccepts, type RawHandle, type RawTcp, rawTcp } from '../engine/raw-tcp';
import { HttpExchangeLog } from './http-log';
import { DatagramReader, encodeDatagram, H_EXPOSURE, H_PEER, PATH_TCP, PATH_UDP, parsePeer } from './protocol';
import { carryPublic, httpLine } from './relay-data';
import { earner } from './relay-data-pool';
import { RawStreamSplice } from './raw-splice';
import { type AgentSession, type PublicConn, PublicPort } from './relay-session';
import type { RelayState } from './relay-state';
import { abortStream, splice, type SpliceHooks } from './splice';
import { UDP_STREAM_HIGH_WATER } from './udp-peers';

// The relay's public ports: a TCP listener or a UDP socket per exposure. Each public TCP connection goes
// to the agent on a data connection from its pool (relay-data.ts), else on an HTTP/2 stream of its own;
// a UDP port's datagrams share one stream, tagged with their peer. Public TCP connections are taken as
// raw handles (engine/raw-tcp.ts) where this Node allows it: one going to a stream never becomes a
// net.Socket (raw-splice.ts); one taking a data connection is given a net.Socket then.

/** Keepalive on public connections finds peers that vanished (as on TCP forwards). */
const PUBLIC_KEEPALIVE_MS = 30_000;

/** Opens a public port for session `s` and adds it to the session's ports. */
export async function openPort(
  st: RelayState,
  s: AgentSession,
  protocol: 'tcp' | 'udp',
  kind: 'tcp' | 'http',
  source: 'config' | 'agent',
  host: string,
  port: number,
  localPort?: number,
  ref?: string,
  name?: string,
): Promise<PublicPort> {
  const id = `x${st.nextId++}`;
  const p = new PublicPort(id, s, protocol, kind, source, meterFor(st, s.name, protocol, port), localPort, ref, name);
  if (protocol === 'tcp') {
    const server = createNetServer({ allowHalfOpen: true, noDelay: true }, (sock) => onPublicConnection(st, p, sock));
    const raw = st.opts.rawHandles === false ? undefined : rawTcp();
    if (raw) {
      const accepts: RawAccepts = new RawAccepts(server, PUBLIC_KEEPALIVE_MS, (handle) => onPublicHandle(st, p, raw, accepts, handle));
    }
    p.server = server;
    const a = await listenOn(server, host, port, (err) => st.log('error', ...said('relayAgentPortError', { agent: s.name, address: formatHostPort(host, port), error: err.message })));
    p.host = a.host;
    p.port = a.port;
  } else {
    const a = await bindUdp(st, p, host, port);
    p.host = a.host;
    p.port = a.port;
  }
  s.ports.set(id, p);
  return p;
}

function meterFor(st: RelayState, agent: string, protocol: string, port: number): ByteMeter {
  const key = `${agent}\0${protocol}\0${port}`;
  let m = st.totals.get(key);
  if (!m) {
    m = new ByteMeter();
    st.totals.set(key, m);
  }
  return m;
}

/** A public connection accepted as a raw handle. */
function onPublicHandle(st: RelayState, p: PublicPort, raw: RawTcp, accepts: RawAccepts, handle: RawHandle): void {
  const s = p.session;
  const { client } = handlePeer(handle);
  if (s.closed || s.h2.destroyed || s.h2.closed) return closeHandle(handle, false);
  if (refusesFull(st, p, client)) return closeHandle(handle, true);
  accepts.setOptions(handle);
  const data = takeData(p);
  if (data) {
    const sock = socketOnHandle(handle, true);
    if (!sock) {
      data.destroy();
      return closeHandle(handle, false);
    }
    sock.on('error', () => undefined);
    return carryPublic(p, s.name, sock, data, client, { pool: s.data!, idleTimeoutMs: st.limits.idleTimeoutMs, log: st.log });
  }
  const stream = openStream(p, client);
  if (!stream) return closeHandle(handle, false);
  // (The callbacks run only once the splice exists.)
  const conn = p.track(client, () => splice.kill());
  const splice = new RawStreamSplice(raw, handle, stream, streamHooks(st, p, stream, conn, () => splice.abort()), st.limits.idleTimeoutMs);
}

/** Whether the port is at its connection limit (then the connection is refused with a RST, and logged). */
function refusesFull(st: RelayState, p: PublicPort, client: string): boolean {
  const max = st.limits.maxConnections;
  if (max <= 0 || p.conns.size < max) return false;
  st.publicRefused++;
  st.burst.note(`public-full:${p.id}`, 'warn', ...said('relayPublicFull', { agent: p.session.name, address: p.address, client, open: p.conns.size, max }));
  return true;
}

/** A ready data connection for the port's next public connection, unless its port is in a burst of short ones (which leave the pool to connections that gain from it). */
function takeData(p: PublicPort): Socket | undefined {
  const pool = p.session.data;
  if (!pool) return undefined;
  if (!p.shortBurst.skipsPool()) return pool.take();
  pool.passOver();
  return undefined;
}

/** The HTTP/2 stream a public connection goes to the agent on; undefined if the session cannot open one. */
function openStream(p: PublicPort, client: string): ClientHttp2Stream | undefined {
  let stream: ClientHttp2Stream;
  try {
    stream = p.session.h2.request({ ':method': 'POST', ':path': PATH_TCP, [H_EXPOSURE]: p.id, [H_PEER]: client }, { endStream: false });
  } catch {
    return undefined;
  }
  stream.on('error', () => undefined);
  return stream;
}

/**
 * What a public connection on a stream counts and logs (either way of holding its socket): the agent's
 * refusal (a non-200 response aborts the client with `abort`), the bytes each way (the meter, the
 * connection, the pool's earn(), the HTTP log) and the close.
 */
function streamHooks(st: RelayState, p: PublicPort, stream: ClientHttp2Stream, conn: PublicConn, abort: () => void): SpliceHooks {
  const s = p.session;
  p.meter.activeConnections++;
  p.meter.totalConnections++;
  const http = p.kind === 'http' ? new HttpExchangeLog((x) => st.log('info', ...httpLine(s.name, p.address, conn.client, x))) : undefined;
  stream.on('response', (headers) => {
    const status = headers[':status'];
    if (status !== 200) {
      const why = headers['porthole-error'];
      st.log('info', ...(typeof why === 'string' ? said('relayAgentNoLocal', { agent: s.name, address: p.address, error: why, client: conn.client }) : said('relayAgentNoLocalStatus', { agent: s.name, address: p.address, status: String(status), client: conn.client })));
      abort();
    }
  });
  const earn = earner(s.data, conn);
  return {
    fromSocket: (n, chunk) => {
      p.meter.bytesIn += n;
      conn.bytesIn += n;
      http?.request(chunk);
      earn();
    },
    fromStream: (n, chunk) => {
      p.meter.bytesOut += n;
      conn.bytesOut += n;
      http?.response(chunk);
      earn();
    },
    closed: () => {
      http?.close();
      p.connectionClosed(conn);
    },
  };
}

/** A public connection as a net.Socket (where raw handles are not to be had). */
function onPublicConnection(st: RelayState, p: PublicPort, sock: Socket): void {
  const s = p.session;
  const client = formatHostPort(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
  sock.on('error', () => undefined);
  if (s.closed || s.h2.destroyed || s.h2.closed) return void sock.destroy();
  if (refusesFull(st, p, client)) return void sock.resetAndDestroy();
  sock.setKeepAlive(true, PUBLIC_KEEPALIVE_MS);
  const data = takeData(p);
  if (data) return carryPublic(p, s.name, sock, data, client, { pool: s.data!, idleTimeoutMs: st.limits.idleTimeoutMs, log: st.log });
  const stream = openStream(p, client);
  if (!stream) return void sock.destroy();
  const conn = p.track(client, () => {
    sock.destroy();
    abortStream(stream);
  });
  // Every byte either way is read from or written to this socket, so its timer sees them all.
  if (st.limits.idleTimeoutMs > 0) sock.setTimeout(st.limits.idleTimeoutMs, () => conn.kill());
  splice(sock, stream, streamHooks(st, p, stream, conn, () => abortSocket(sock)));
}

function bindUdp(st: RelayState, p: PublicPort, host: string, port: number): Promise<{ host: string; port: number }> {
  const s = p.session;
  const sock = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  p.udp = sock;
  // Peers are forgotten after udp_idle_timeout without a datagram either way (as the agent does),
  // so that a scan of spoofed sources cannot fill the table for good.
  const peers = new Map<string, { conn: PublicConn; last: number }>();
  const forget = (tag: string) => {
    const e = peers.get(tag);
    if (!e) return;
    peers.delete(tag);
    p.conns.delete(e.conn.id);
    p.meter.activeConnections--;
  };
  const idleMs = st.limits.udpIdleTimeoutMs;
  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const [tag, e] of peers) if (e.last < cutoff) forget(tag);
  }, Math.min(idleMs, 5000));
  sweep.unref();
  sock.once('close', () => clearInterval(sweep));
  return new Promise((resolve, reject) => {
    sock.once('error', (err) => {
      p.udp = undefined;
      clearInterval(sweep);
      reject(listenError(err, host, port));
    });
    sock.bind({ address: host, port }, () => {
      sock.removeAllListeners('error');
      sock.on('error', (err) => st.log('warn', ...said('relayAgentUdpError', { agent: s.name, address: p.address, error: err.message })));
      const stream = s.h2.request({ ':method': 'POST', ':path': PATH_UDP, [H_EXPOSURE]: p.id }, { endStream: false });
      p.udpStream = stream;
      stream.on('error', () => undefined);
      const reader = new DatagramReader();
      stream.on('data', (chunk: Buffer) => {
        let grams;
        try {
          grams = reader.push(chunk);
        } catch {
          st.log('warn', ...said('relayAgentBadDatagram', { agent: s.name, address: p.address }));
          stream.close(h2c.NGHTTP2_PROTOCOL_ERROR);
          return;
        }
        for (const g of grams) {
          const peer = parsePeer(g.peer);
          const e = peers.get(g.peer);
          if (!peer || !e) continue;
          e.last = Date.now();
          e.conn.bytesOut += g.payload.length;
          p.meter.bytesOut += g.payload.length;
          sock.send(g.payload, peer.port, peer.host);
        }
      });
      sock.on('message', (msg, rinfo) => {
        const tag = formatHostPort(rinfo.address, rinfo.port);
        let e = peers.get(tag);
        if (!e) {
          if (peers.size >= st.limits.maxUdpPeers) return;
          e = { conn: p.track(tag, () => forget(tag)), last: 0 };
          peers.set(tag, e);
          p.meter.activeConnections++;
          p.meter.totalConnections++;
        }
        e.last = Date.now();
        if (stream.writableLength > UDP_STREAM_HIGH_WATER || !stream.writable) return;
        e.conn.bytesIn += msg.length;
        p.meter.bytesIn += msg.length;
        stream.write(encodeDatagram(tag, msg));
      });
      const a = sock.address();
      resolve({ host: a.address, port: a.port });
    });
  });
}
