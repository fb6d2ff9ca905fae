// Host and port parsing shared by forms, the API and the CLI. Pure string logic: no DNS here.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  // Strip a zone id (fe80::1%eth0) before checking the address itself.
  const addr = s.includes('%') ? s.slice(0, s.indexOf('%')) : s;
  if (!/^[0-9A-Fa-f:.]+$/.test(addr) || !addr.includes(':')) return false;
  let head = addr;
  let groupsFromV4 = 0;
  const lastColon = addr.lastIndexOf(':');
  const tail = addr.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    head = addr.slice(0, lastColon + 1) + '0:0';
    groupsFromV4 = 0;
  }
  const doubles = head.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = head.split(':');
  if (doubles === 0) {
    return groups.length === 8 - groupsFromV4 && groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
  }
  const [left = '', right = ''] = head.split('::');
  const l = left === '' ? [] : left.split(':');
  const r = right === '' ? [] : right.split(':');
  if (l.length + r.length > 7) return false;
  return [...l, ...r].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
}

export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  // All-numeric dotted names are malformed IPv4 literals, not host names.
  if (/^[\d.]+$/.test(name)) return false;
  return name.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

export function isValidHost(s: string): boolean {
  return isIPv4(s) || isIPv6(s) || isHostname(s);
}

export function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Formats host:port, bracketing IPv6 literals ([::1]:8080). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface HostPort {
  host: string;
  port: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses `host:port`, `[v6]:port` or a bare `port` (host then defaults to `defaultHost`).
 * Returns a message that says what is wrong rather than throwing.
 */
export function parseHostPort(input: string, defaultHost?: string): ParseResult<HostPort> {
  const s = input.trim();
  if (s === '') return { ok: false, error: 'empty address' };
  let host: string;
  let portText: string;
  if (/^\d+$/.test(s)) {
    if (defaultHost === undefined) return { ok: false, error: `"${s}" has no host: write HOST:PORT` };
    host = defaultHost;
    portText = s;
  } else if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return { ok: false, error: `"${s}" is not [IPv6]:PORT` };
    host = s.slice(1, close);
    portText = s.slice(close + 2);
    if (!isIPv6(host)) return { ok: false, error: `"${host}" is not an IPv6 address` };
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) return { ok: false, error: `"${s}" has no port: write HOST:PORT` };
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (host.includes(':')) return { ok: false, error: `"${s}": put an IPv6 address in brackets, as [::1]:8080` };
    if (!isValidHost(host)) return { ok: false, error: `"${host}" is not a valid host name or IP address` };
  }
  if (!/^\d{1,5}$/.test(portText)) return { ok: false, error: `"${portText}" is not a port number` };
  const port = Number(portText);
  if (!isValidPort(port)) return { ok: false, error: `port ${port} is out of range (1–65535)` };
  return { ok: true, value: { host, port } };
}

const WILDCARDS = new Set(['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Two listen endpoints collide when the ports match and the hosts match or either is a wildcard. */
export function listenEndpointsCollide(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port) return false;
  if (a.host === b.host) return true;
  const norm = (h: string) => (h === 'localhost' ? '127.0.0.1' : h);
  if (norm(a.host) === norm(b.host)) return true;
  return isWildcardHost(a.host) || isWildcardHost(b.host);
}
