import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { FrameError, PROTOCOL_VERSION } from './data-wire';
import type { AgentMessage, RelayMessage } from './protocol-checks';

// The relay protocol (shared/DESIGN.md "Relay protocol"). On the raw (TLS) socket, before HTTP/2:
//
//   agent → relay   MAGIC, VERSION, frame {agent, nonce, assigned}
//   relay → agent   MAGIC, VERSION, frame {nonce}                       (or frame {error})
//   agent → relay   frame {mac = HMAC-SHA256(token, transcript("agent"))}
//   relay → agent   frame {ok, session, mac = HMAC-SHA256(token, transcript("relay"))}   (or {error})
//
// A frame is a u32 big-endian length and that many bytes of UTF-8 JSON (at most MAX_HANDSHAKE_FRAME).
// The token never crosses the wire: each side proves it knows it over both nonces, the agent name
// and, with TLS, keying material exported from the TLS session (so a handshake cannot be replayed
// or relayed through another connection). Then the socket carries HTTP/2 with the relay as the
// client: it opens the control stream and one stream per public connection.

export const MAGIC = Buffer.from('PHRELAY\0', 'latin1');
export { encodeFrame, MAX_HANDSHAKE_FRAME, PROTOCOL_VERSION } from './data-wire';
export const NONCE_BYTES = 32;
export const HANDSHAKE_TIMEOUT_MS = 5000;

// The frames' types and checks: protocol-checks.ts (hand-written, so the relay's worker loads no zod).
export {
  type AgentHello,
  type AgentMessage,
  type AgentProof,
  checkAgentHello,
  checkAgentMessage,
  checkAgentProof,
  checkRelayHello,
  checkRelayMessage,
  checkRelayVerdict,
  type ExposureInfo,
  type HandshakeErrorBody,
  type RelayHello,
  type RelayMessage,
  type RelayVerdict,
} from './protocol-checks';

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64');
}

/** The bytes both sides MAC: who proves, both nonces, the agent name, the TLS binding (empty on plain TCP). */
function transcript(role: 'agent' | 'relay' | 'data', agent: string, agentNonce: string, relayNonce: string, binding: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`porthole-relay-v${PROTOCOL_VERSION}\0${role}\0${agent}\0${agentNonce}\0${relayNonce}\0`, 'utf8'),
    binding,
  ]);
}

export function proof(token: string, role: 'agent' | 'relay', agent: string, agentNonce: string, relayNonce: string, binding: Buffer): string {
  return createHmac('sha256', token).update(transcript(role, agent, agentNonce, relayNonce, binding)).digest('hex');
}

/**
 * The session's data-connection key (data-protocol.ts): both sides derive it from the same handshake,
 * so it never crosses the wire, and it differs for every session.
 */
export function sessionDataKey(token: string, agent: string, agentNonce: string, relayNonce: string, binding: Buffer): Buffer {
  return createHmac('sha256', token).update(transcript('data', agent, agentNonce, relayNonce, binding)).digest();
}

export function proofMatches(expectedHex: string, gotHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(gotHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export function encodePreamble(): Buffer {
  return Buffer.concat([MAGIC, Buffer.from([PROTOCOL_VERSION])]);
}

// ---- control stream (HTTP/2 stream `/control`, newline-delimited JSON both ways) ----

export const MAX_CONTROL_LINE = 64 * 1024;
/** Splits a byte stream into lines; a line over the cap is an error (the session is closed). */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(private readonly maxLine: number = MAX_CONTROL_LINE) {}

  /** Complete lines in `chunk` (without the newline); throws when one grows over the cap. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, i);
      if (this.pendingBytes + part.length > this.maxLine) throw new Error(`control message over ${this.maxLine} bytes`);
      lines.push(this.pendingBytes > 0 ? Buffer.concat([...this.pending, part]).toString('utf8') : part.toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      start = i + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLine) throw new Error(`control message over ${this.maxLine} bytes`);
      this.pending.push(Buffer.from(rest));
    }
    return lines;
  }
}

export function encodeLine(msg: AgentMessage | RelayMessage): string {
  return `${JSON.stringify(msg)}\n`;
}

/** Parses one control line with a check (protocol-checks.ts); a throw means a protocol violation by the peer. */
export function parseLine<T>(check: (json: unknown) => T, line: string): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error('control message is not JSON');
  }
  try {
    return check(json);
  } catch (err) {
    if (err instanceof FrameError) throw new Error(`invalid control message: ${err.detail}`, { cause: err });
    throw err;
  }
}

// ---- data streams ----

/** HTTP/2 request headers on a data stream (relay → agent). */
export const H_EXPOSURE = 'porthole-exposure';
export const H_PEER = 'porthole-peer';
export const PATH_CONTROL = '/control';
export const PATH_TCP = '/tcp';
export const PATH_UDP = '/udp';

// UDP datagrams on a `/udp` stream: u32 length of the rest | u8 peer length | peer ("ip:port") | payload.
export const MAX_DATAGRAM = 65_535;
export const MAX_PEER_TAG = 64;

export function encodeDatagram(peer: string, payload: Buffer): Buffer {
  const tag = Buffer.from(peer, 'latin1');
  if (tag.length > MAX_PEER_TAG) throw new Error('peer tag too long');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + tag.length + payload.length, 0);
  head.writeUInt8(tag.length, 4);
  return Buffer.concat([head, tag, payload]);
}

/** Reassembles datagrams from stream chunks; throws on a malformed frame (the stream is reset). */
export class DatagramReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ peer: string; payload: Buffer }> {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Array<{ peer: string; payload: Buffer }> = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(0);
      if (len < 1 || len > 1 + MAX_PEER_TAG + MAX_DATAGRAM) throw new Error(`datagram frame length ${len} out of range`);
      if (this.buf.length < 4 + len) break;
      const tagLen = this.buf.readUInt8(4);
      if (tagLen > MAX_PEER_TAG || 1 + tagLen > len) throw new Error('datagram peer tag out of range');
      const peer = this.buf.subarray(5, 5 + tagLen).toString('latin1');
      const payload = Buffer.from(this.buf.subarray(5 + tagLen, 4 + len));
      out.push({ peer, payload });
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }
}

/** `ip:port` / `[v6]:port` → parts, or undefined. */
export function parsePeer(tag: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(tag);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? m[2])!, port };
}
