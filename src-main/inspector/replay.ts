import type { Duplex } from 'node:stream';
import type { HeaderList } from '../../src-shared/model/inspector';
import { type CapturedExchange, HttpCapture } from './http-capture';

// Sends one request again, straight to the mapping's target (over the SSH session for ssh-local), on a
// connection of its own, and records the answer with the same capture as live traffic.

export interface ReplayRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Buffer;
}

/** Opens a connection to the target: a socket, or an SSH channel. */
export type ReplayDial = () => Promise<Duplex>;

// Framing and connection management belong to this one connection, not to the recorded one: the body
// is sent whole with its own Content-Length, and the connection closes after the answer.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function buildRequest(r: ReplayRequest): Buffer {
  const lines = [`${r.method} ${r.url} HTTP/1.1`];
  const needsLength = r.body.length > 0 || BODY_METHODS.has(r.method);
  let lengthSent = false;
  for (const [name, value] of r.headers) {
    const n = name.toLowerCase();
    if (HOP_BY_HOP.has(n)) continue;
    // Content-Length stays where the client put it (the server sees the same head), with the body's size.
    if (n === 'content-length') {
      if (needsLength && !lengthSent) lines.push(`${name}: ${r.body.length}`);
      lengthSent = true;
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  if (needsLength && !lengthSent) lines.push(`Content-Length: ${r.body.length}`);
  lines.push('Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), r.body]);
}

export interface ReplayOptions {
  maxBodyBytes: number;
  /** Give up waiting for the answer after this long (the exchange is recorded as it stands). */
  timeoutMs?: number;
}

/** Resolves with the recorded exchange (status 0 when no answer came); rejects only when the dial fails. */
export async function sendReplay(dial: ReplayDial, r: ReplayRequest, opts: ReplayOptions): Promise<CapturedExchange> {
  const conn = await dial();
  return new Promise((resolve) => {
    let result: CapturedExchange | undefined;
    const capture = new HttpCapture({
      connId: 0,
      client: 'replay',
      maxBodyBytes: opts.maxBodyBytes,
      onExchange: (x) => {
        result ??= x;
        finish();
      },
    });
    const timer = setTimeout(() => finish(), opts.timeoutMs ?? 30_000);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      capture.onEnd();
      conn.destroy();
      // An SSH channel emits 'close' only once its stream is flowing.
      conn.resume();
      resolve(result!);
    }
    conn.on('data', (chunk: Buffer) => capture.onTargetChunk(chunk));
    conn.on('error', () => finish());
    conn.on('close', () => finish());
    conn.on('end', () => finish());
    const bytes = buildRequest(r);
    capture.onClientChunk(bytes);
    conn.write(bytes);
  });
}
