// SOCKS5 wire format (RFC 1928) and username/password sub-negotiation (RFC 1929). Pure: parsers take
// whatever bytes have arrived so far and never throw; encoders build replies. No sockets here.
import type { RuleErrorCode } from '../../src-shared/model/errors';

export const SOCKS_VERSION = 0x05;
export const USERPASS_VERSION = 0x01;

export const METHOD_NO_AUTH = 0x00;
export const METHOD_USERPASS = 0x02;
export const METHOD_NONE_ACCEPTABLE = 0xff;

export const CMD_CONNECT = 0x01;
const COMMAND_NAMES: Record<number, string> = { 1: 'CONNECT', 2: 'BIND', 3: 'UDP ASSOCIATE' };

export const ATYP_IPV4 = 0x01;
export const ATYP_DOMAIN = 0x03;
export const ATYP_IPV6 = 0x04;

export const Reply = {
  SUCCEEDED: 0x00,
  GENERAL_FAILURE: 0x01,
  NOT_ALLOWED: 0x02,
  NETWORK_UNREACHABLE: 0x03,
  HOST_UNREACHABLE: 0x04,
  CONNECTION_REFUSED: 0x05,
  TTL_EXPIRED: 0x06,
  COMMAND_NOT_SUPPORTED: 0x07,
  ADDRESS_TYPE_NOT_SUPPORTED: 0x08,
} as const;
export type ReplyCode = (typeof Reply)[keyof typeof Reply];

export type AddressType = 'ipv4' | 'ipv6' | 'domain';

export interface SocksDestination {
  host: string;
  port: number;
  addressType: AddressType;
}

/**
 * Outcome of parsing a message from the start of a buffer: not all of it has arrived yet, a complete
 * message of `length` bytes (anything after it is the client's next bytes), or a violation. `reply`
 * on an error is the reply code the client should get before the connection closes, when the
 * protocol has one for the case; `message` says what was wrong, for the log.
 */
export type ParseResult<T> =
  | { kind: 'incomplete' }
  | ({ kind: 'ok'; length: number } & T)
  | { kind: 'error'; message: string; reply?: ReplyCode };

const INCOMPLETE = { kind: 'incomplete' } as const;

/** Greeting: VER NMETHODS METHODS[NMETHODS]. */
export function parseGreeting(buf: Uint8Array): ParseResult<{ methods: number[] }> {
  if (buf.length < 1) return INCOMPLETE;
  const ver = buf[0]!;
  if (ver !== SOCKS_VERSION) return { kind: 'error', message: notSocks5(ver) };
  if (buf.length < 2) return INCOMPLETE;
  const n = buf[1]!;
  if (n === 0) return { kind: 'error', message: 'The SOCKS5 greeting offers no authentication methods' };
  if (buf.length < 2 + n) return INCOMPLETE;
  return { kind: 'ok', length: 2 + n, methods: Array.from(buf.subarray(2, 2 + n)) };
}

/** RFC 1929 request: VER=1 ULEN UNAME PLEN PASSWD; both fields 1–255 bytes. */
export function parseUserPass(buf: Uint8Array): ParseResult<{ username: Uint8Array; password: Uint8Array }> {
  if (buf.length < 1) return INCOMPLETE;
  if (buf[0] !== USERPASS_VERSION) {
    return { kind: 'error', message: `Bad username/password sub-negotiation version ${hex(buf[0]!)} (expected 0x01)` };
  }
  if (buf.length < 2) return INCOMPLETE;
  const ulen = buf[1]!;
  if (ulen === 0) return { kind: 'error', message: 'The SOCKS5 username is empty' };
  if (buf.length < 2 + ulen + 1) return INCOMPLETE;
  const plen = buf[2 + ulen]!;
  if (plen === 0) return { kind: 'error', message: 'The SOCKS5 password is empty' };
  const end = 3 + ulen + plen;
  if (buf.length < end) return INCOMPLETE;
  return { kind: 'ok', length: end, username: buf.subarray(2, 2 + ulen), password: buf.subarray(3 + ulen, end) };
}

/** Request: VER CMD RSV ATYP DST.ADDR DST.PORT. Any command parses; the caller decides what it supports. */
export function parseRequest(buf: Uint8Array): ParseResult<{ command: number; destination: SocksDestination }> {
  if (buf.length < 1) return INCOMPLETE;
  if (buf[0] !== SOCKS_VERSION) {
    return { kind: 'error', message: `Bad SOCKS request version ${hex(buf[0]!)} (expected 0x05)`, reply: Reply.GENERAL_FAILURE };
  }
  // RSV (buf[2]) is ignored rather than enforced, as most servers do: it carries no meaning.
  if (buf.length < 4) return INCOMPLETE;
  const command = buf[1]!;
  const atyp = buf[3]!;
  let addrEnd: number;
  let host: string;
  let addressType: AddressType;
  if (atyp === ATYP_IPV4) {
    addrEnd = 8;
    if (buf.length < addrEnd + 2) return INCOMPLETE;
    host = Array.from(buf.subarray(4, 8)).join('.');
    addressType = 'ipv4';
  } else if (atyp === ATYP_IPV6) {
    addrEnd = 20;
    if (buf.length < addrEnd + 2) return INCOMPLETE;
    host = formatIPv6(buf.subarray(4, 20));
    addressType = 'ipv6';
  } else if (atyp === ATYP_DOMAIN) {
    if (buf.length < 5) return INCOMPLETE;
    const len = buf[4]!;
    if (len === 0) return { kind: 'error', message: 'The SOCKS request names an empty domain', reply: Reply.GENERAL_FAILURE };
    addrEnd = 5 + len;
    if (buf.length < addrEnd + 2) return INCOMPLETE;
    host = Buffer.from(buf.subarray(5, addrEnd)).toString('utf8');
    addressType = 'domain';
  } else {
    return {
      kind: 'error',
      message: `SOCKS address type ${hex(atyp)} is not supported (only IPv4, IPv6 and domain names)`,
      reply: Reply.ADDRESS_TYPE_NOT_SUPPORTED,
    };
  }
  const port = (buf[addrEnd]! << 8) | buf[addrEnd + 1]!;
  return { kind: 'ok', length: addrEnd + 2, command, destination: { host, port, addressType } };
}

export function commandName(command: number): string {
  return COMMAND_NAMES[command] ?? `command ${hex(command)}`;
}

export function encodeMethodSelection(method: number): Buffer {
  return Buffer.from([SOCKS_VERSION, method]);
}

export function encodeUserPassReply(ok: boolean): Buffer {
  return Buffer.from([USERPASS_VERSION, ok ? 0x00 : 0x01]);
}

/**
 * Reply: VER REP RSV ATYP BND.ADDR BND.PORT. The bound address is given when known (an IPv4 or IPv6
 * literal; IPv4-mapped IPv6 is sent as IPv4); otherwise, and for anything unparsable, 0.0.0.0:0.
 */
export function encodeReply(code: ReplyCode, bound?: { address: string; port: number }): Buffer {
  const v4 = bound ? parseIPv4(bound.address.startsWith('::ffff:') ? bound.address.slice(7) : bound.address) : undefined;
  const v6 = bound && !v4 ? parseIPv6(bound.address) : undefined;
  const port = v4 || v6 ? bound!.port & 0xffff : 0;
  const addr = v4 ?? v6 ?? new Uint8Array(4);
  const out = Buffer.alloc(4 + addr.length + 2);
  out[0] = SOCKS_VERSION;
  out[1] = code;
  out[3] = v6 ? ATYP_IPV6 : ATYP_IPV4;
  out.set(addr, 4);
  out.writeUInt16BE(port, 4 + addr.length);
  return out;
}

/**
 * The reply a client gets for a failed dial. Node reports "network" and "host" unreachable under one
 * engine code, so the errno (when the dial had one) tells RFC 1928's 0x03 and 0x04 apart.
 */
export function replyForError(code: RuleErrorCode, errno?: string): ReplyCode {
  switch (code) {
    case 'TARGET_REFUSED':
      return Reply.CONNECTION_REFUSED;
    case 'TARGET_TIMEOUT':
      return Reply.TTL_EXPIRED;
    case 'DNS_FAILED':
      return Reply.HOST_UNREACHABLE;
    case 'TARGET_UNREACHABLE':
      return errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? Reply.HOST_UNREACHABLE : Reply.NETWORK_UNREACHABLE;
    case 'PERMISSION_DENIED':
      return Reply.NOT_ALLOWED;
    default:
      return Reply.GENERAL_FAILURE;
  }
}

function notSocks5(ver: number): string {
  if (ver === 0x04) return 'The client speaks SOCKS4, not SOCKS5 — configure it for SOCKS5 (e.g. socks5h://)';
  // An HTTP proxy request ("CONNECT ..." / "GET ...") is the usual mistake; say so.
  if (ver >= 0x41 && ver <= 0x5a) return 'The client is not a SOCKS5 client (it looks like HTTP) — configure it to use a SOCKS5 proxy';
  return `The client is not a SOCKS5 client (first byte ${hex(ver)}, expected 0x05)`;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** Canonical text form (RFC 5952): lower case, the longest run of ≥2 zero groups as "::". */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLen).join(':')}`;
}

/** Dotted quad → 4 bytes (1–3 digits per part, each ≤ 255), by hand: it runs for every reply. */
function parseIPv4(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || part > 3) return undefined;
      out[part++] = value;
      digits = 0;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

function parseIPv6(s: string): Uint8Array | undefined {
  const addr = s.includes('%') ? s.slice(0, s.indexOf('%')) : s;
  if (!/^[0-9a-fA-F:.]+$/.test(addr)) return undefined;
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = toGroups(halves[0]!);
  const tail = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
