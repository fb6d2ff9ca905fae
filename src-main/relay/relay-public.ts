import { createSocket } from 'node:dgram';
import { type ClientHttp2Stream, constants as h2c } from 'node:http2';
import { createServer as createNetServer, isIPv6, type Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import { said } from '../../src-shared/model/log-text';
import { abortSocket } from '../engine/abort-socket';
import { ByteMeter } from '../engine/byte-meter';
import { listenError } from '../engine/engine-error';
import { listenOn } from '../engine/listen';
import { HttpExchangeLog } from './http-log';
import { DatagramReader, encodeDatagram, H_EXPOSURE, H_PEER, PATH_TCP, PATH_UDP, parsePeer } from './protocol';
import { carryPublic, httpLine } from './relay-data';
import { earner } from './relay-data-pool';
import { type AgentSession, type PublicConn, PublicPort } from './relay-session';
import type { RelayState } from './relay-state';
import { splice } from './splice';
import { UDP_STREAM_HIGH_WATER } from './udp-peers';

// The relay's public ports: a TCP listener or a UDP socket per exposure. Each public TCP connection goes
// to the agent on a data connection from its pool (relay-data.ts), else on an HTTP/2 stream of its own;
// a UDP port's datagrams share one stream, tagged with their peer.

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

function onPublicConnection(st: RelayState, p: PublicPort, sock: Socket): void {
  const s = p.session;
  const client = formatHostPort(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
  sock.on('error', () => undefined);
  if (s.closed || s.h2.destroyed || s.h2.closed) return void sock.destroy();
  const max = st.limits.maxConnections;
  if (max > 0 && p.conns.size >= max) {
    st.publicRefused++;
    st.burst.note(`public-full:${p.id}`, 'warn', ...said('relayPublicFull', { agent: s.name, address: p.address, client, open: p.conns.size, max }));
    return void sock.resetAndDestroy();
  }
  // As on TCP forwards: keepalive finds peers that vanished.
  sock.setKeepAlive(true, 30_000);
  // A port in a burst of short connections leaves the pool to connections that gain from it.
  let data: Socket | undefined;
  if (s.data && p.shortBurst.skipsPool()) s.data.passOver();
  else data = s.data?.take();
  if (data) return carryPublic(p, s.name, sock, data, client, { pool: s.data!, idleTimeoutMs: st.limits.idleTimeoutMs, log: st.log });
  let stream: ClientHttp2Stream;
  try {
    stream = s.h2.request({ ':method': 'POST', ':path': PATH_TCP, [H_EXPOSURE]: p.id, [H_PEER]: client }, { endStream: false });
  } catch {
    return void sock.destroy();
  }
  stream.on('error', () => undefined);
  const conn = p.track(client, () => {
    sock.destroy();
    stream.close(h2c.NGHTTP2_CANCEL);
  });
  // Every byte either way is read from or written to this socket, so its timer sees them all.
  if (st.limits.idleTimeoutMs > 0) sock.setTimeout(st.limits.idleTimeoutMs, () => conn.kill());
  p.meter.activeConnections++;
  p.meter.totalConnections++;
  const http = p.kind === 'http' ? new HttpExchangeLog((x) => st.log('info', ...httpLine(s.name, p.address, client, x))) : undefined;
  stream.on('response', (headers) => {
    const status = headers[':status'];
    if (status !== 200) {
      const why = headers['porthole-error'];
      st.log('info', ...(typeof why === 'string' ? said('relayAgentNoLocal', { agent: s.name, address: p.address, error: why, client }) : said('relayAgentNoLocalStatus', { agent: s.name, address: p.address, status: String(status), client })));
      abortSocket(sock);
    }
  });
  const earn = earner(s.data, conn);
  splice(sock, stream, {
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
  });
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
