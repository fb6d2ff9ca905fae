import { createHmac } from 'node:crypto';

// The pieces of the relay's wire format that an agent's data connections need (data-protocol.ts
// describes them), with no zod: the data plane worker (src-main/dataplane) dials data connections
// itself and must load Node built-ins only. protocol.ts and data-protocol.ts re-export these, so the
// two sides keep one definition; protocol-checks.test.ts checks them against the zod schemas they replaced.

export const PROTOCOL_VERSION = 1;
export const MAX_HANDSHAKE_FRAME = 4096;

/** First bytes of a data connection; as long as the handshake's MAGIC, so one read tells them apart. */
export const DATA_MAGIC = Buffer.from('PHRDATA\0', 'latin1');

export function encodeFrame(body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  if (json.length > MAX_HANDSHAKE_FRAME) throw new Error(`handshake frame of ${json.length} bytes is over the ${MAX_HANDSHAKE_FRAME}-byte limit`);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(json.length, 0);
  return Buffer.concat([head, json]);
}

export function ticketMac(key: Buffer, session: string, id: number, exp: number, binding: Buffer): string {
  return createHmac('sha256', key).update(`porthole-data-v${PROTOCOL_VERSION}\0${session}\0${id}\0${exp}\0`, 'utf8').update(binding).digest('hex');
}

const ERROR_CODES = ['AUTH_FAILED', 'VERSION', 'PROTOCOL', 'REPLACED', 'SHUTDOWN'];

export type WireErrorBody = { code: 'AUTH_FAILED' | 'VERSION' | 'PROTOCOL' | 'REPLACED' | 'SHUTDOWN'; message: string };
export type DataAdmit = { ready: true } | { error: WireErrorBody };
export type DataOpen = { open: string; peer: string } | { error: WireErrorBody };

type Obj = Record<string, unknown>;

function strict(v: unknown, keys: string[]): Obj | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Obj;
  const own = Object.keys(o);
  return own.length === keys.length && keys.every((k) => own.includes(k)) ? o : undefined;
}

function errorBody(v: unknown): WireErrorBody | undefined {
  const e = strict(v, ['code', 'message']);
  if (!e || typeof e.code !== 'string' || !ERROR_CODES.includes(e.code) || typeof e.message !== 'string' || e.message.length > 1000) return undefined;
  return { code: e.code as WireErrorBody['code'], message: e.message };
}

/**
 * A checker throws this; RawReader turns it into a PROTOCOL handshake error naming the frame. `detail`
 * is the message without the key path (a control line's error shows only that, as it did with zod).
 */
export class FrameError extends Error {
  constructor(
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }
}

/** Relay → agent right after the ticket: `{ready: true}` or `{error}`. */
export function checkAdmit(v: unknown): DataAdmit {
  if (strict(v, ['ready'])?.ready === true) return { ready: true };
  const err = strict(v, ['error']);
  const body = err && errorBody(err.error);
  if (body) return { error: body };
  throw new FrameError('expected {ready: true} or {error}');
}

/** Relay → agent on an idle data connection: `{open, peer}` or `{error}`. */
export function checkOpen(v: unknown): DataOpen {
  const o = strict(v, ['open', 'peer']);
  if (o && typeof o.open === 'string' && o.open.length >= 1 && o.open.length <= 64 && typeof o.peer === 'string' && o.peer.length <= 64) {
    return { open: o.open, peer: o.peer };
  }
  const err = strict(v, ['error']);
  const body = err && errorBody(err.error);
  if (body) return { error: body };
  throw new FrameError('expected {open, peer} or {error}');
}
