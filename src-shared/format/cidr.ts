import { isIPv4, isIPv6 } from './address';

// Source-address lists (allow/deny) in CIDR form, IPv4 and IPv6. Pure: no Node `net` here, so the
// renderer validates with the same code the engine matches with.

export interface Cidr {
  family: 4 | 6;
  /** Network address as a big integer (32 or 128 bits). */
  base: bigint;
  prefix: number;
  text: string;
}

function v4ToBig(s: string): bigint {
  return s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(s: string): bigint {
  let addr = s.includes('%') ? s.slice(0, s.indexOf('%')) : s;
  let tail: bigint[] = [];
  const lastColon = addr.lastIndexOf(':');
  const maybeV4 = addr.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) is the last two 16-bit groups.
    const v = v4ToBig(maybeV4);
    tail = [v >> 16n, v & 0xffffn];
    addr = addr.slice(0, lastColon + 1);
    if (!addr.endsWith('::')) addr = addr.slice(0, -1);
  }
  const [head = '', rest] = addr.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = 8 - tail.length;
  const zeros = rest === undefined ? 0 : groups - left.length - right.length;
  const parts = [...left, ...Array<string>(Math.max(0, zeros)).fill('0'), ...right].map((g) => BigInt(parseInt(g, 16)));
  return [...parts, ...tail].reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128). */
export function parseCidr(input: string): { ok: true; value: Cidr } | { ok: false; error: string } {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const prefixText = slash >= 0 ? text.slice(slash + 1) : undefined;
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
  if (!family) return { ok: false, error: `"${text}" is not an IP address or CIDR range (e.g. 192.168.1.0/24)` };
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return { ok: false, error: `"${text}": the prefix length must be 0–${bits}` };
  const value = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { ok: true, value: { family, base: value & mask, prefix, text } };
}

/** Normalises a socket's remote address: IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes plain IPv4. */
function addressKey(address: string): { family: 4 | 6; value: bigint } | undefined {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (isIPv4(a)) return { family: 4, value: v4ToBig(a) };
  if (isIPv6(a)) return { family: 6, value: v6ToBig(a) };
  return undefined;
}

export function cidrContains(c: Cidr, address: string): boolean {
  const k = addressKey(address);
  if (!k || k.family !== c.family) return false;
  const bits = c.family === 4 ? 32 : 128;
  const mask = c.prefix === 0 ? 0n : ((1n << BigInt(c.prefix)) - 1n) << BigInt(bits - c.prefix);
  return (k.value & mask) === c.base;
}

/**
 * Builds a source filter: deny wins over allow; an empty allow list allows everyone.
 * Throws on an invalid entry (callers validate lists with zod first).
 */
export function sourceFilter(allow: readonly string[], deny: readonly string[]): ((address: string) => boolean) | undefined {
  if (allow.length === 0 && deny.length === 0) return undefined;
  const parse = (s: string) => {
    const r = parseCidr(s);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  const allowC = allow.map(parse);
  const denyC = deny.map(parse);
  return (address) => {
    if (denyC.some((c) => cidrContains(c, address))) return false;
    return allowC.length === 0 || allowC.some((c) => cidrContains(c, address));
  };
}
