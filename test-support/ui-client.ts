import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WebSocket } from 'ws';
import type { WsServerMessage } from '../src-shared/api/ws-protocol';

// A browser-mode client for tests: plain HTTP(S) requests and API sockets with any Host and Origin,
// over real sockets. TLS is checked against the UI's own certificate (pinned, like a user comparing the
// fingerprint), not skipped.

export interface UiTarget {
  port: number;
  scheme: 'http' | 'https';
  /** The certificate to trust for https (the server's self-signed one). */
  ca?: string;
}

const tlsOptions = (t: UiTarget) =>
  t.scheme === 'https' ? { ca: t.ca, checkServerIdentity: () => undefined, servername: 'porthole-ui' } : {};

/** GET on 127.0.0.1 with the given Host header. */
export function uiGet(t: UiTarget, path: string, host: string): Promise<{ status: number; body: string }> {
  const request = t.scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path, headers: { Host: host }, agent: false, ...tlsOptions(t) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface UiSocket {
  ws: WebSocket;
  received: WsServerMessage[];
  /** Upgrade outcome: opened, or refused with an HTTP status and body. */
  outcome: Promise<{ opened: boolean; status?: number; body?: string }>;
  closed: Promise<{ code: number; reason: string }>;
}

export function openUiSocket(t: UiTarget, headers: Record<string, string>, path = '/api', localAddress?: string): UiSocket {
  const ws = new WebSocket(`${t.scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${t.port}${path}`, { headers, ...tlsOptions(t), ...(localAddress ? { localAddress } : {}) });
  const received: WsServerMessage[] = [];
  ws.on('message', (d) => received.push(JSON.parse(d.toString()) as WsServerMessage));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const outcome = new Promise<{ opened: boolean; status?: number; body?: string }>((resolve) => {
    ws.on('open', () => resolve({ opened: true }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
    ws.on('error', () => resolve({ opened: false }));
  });
  return { ws, received, outcome, closed };
}

/** Sends the token message; resolves 'ready' on the host's answer, or with the close code. */
export function signIn(s: UiSocket, token: string): Promise<'ready' | number> {
  return new Promise((resolve) => {
    const onMessage = (d: Buffer) => {
      if ((JSON.parse(d.toString()) as WsServerMessage).t === 'ready') resolve('ready');
    };
    s.ws.on('message', onMessage);
    void s.closed.then(({ code }) => resolve(code));
    s.ws.send(JSON.stringify({ t: 'auth', token }));
  });
}

export function uiCall(ws: WebSocket, id: number, m: string, a?: unknown): Promise<WsServerMessage> {
  return new Promise((resolve) => {
    const on = (d: Buffer) => {
      const msg = JSON.parse(d.toString()) as WsServerMessage;
      if (msg.t === 'result' && msg.id === id) {
        ws.off('message', on);
        resolve(msg);
      }
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ t: 'call', id, m, a }));
  });
}
