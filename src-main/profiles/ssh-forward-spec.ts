import { type HostPort, isValidHost, parseHostPort } from '../../src-shared/format/address';

// LocalForward / RemoteForward / DynamicForward arguments of ssh_config(5):
//   LocalForward   [bind_address:]port  host:hostport
//   RemoteForward  [bind_address:]port  [host:hostport]     (no destination: reverse SOCKS)
//   DynamicForward [bind_address:]port
// Also `[v6]:port`, the older slash forms `bind/port` and `host/hostport`, and Unix-socket paths.

export type ForwardKind = 'LocalForward' | 'RemoteForward' | 'DynamicForward';

export interface BindSpec extends HostPort {
  /** The spec asked for every interface (`*`, an empty address, `0.0.0.0`, `::`). */
  allInterfaces: boolean;
  /** No bind address was written. */
  defaulted: boolean;
}

export type ForwardSpec =
  | { kind: 'LocalForward'; listen: BindSpec; target: HostPort }
  | { kind: 'RemoteForward'; remote: BindSpec; target: HostPort }
  | { kind: 'DynamicForward'; listen: BindSpec }
  /** Valid for OpenSSH but not something Porthole can run. */
  | { kind: 'unsupported'; reason: string };

export type ForwardParse = { ok: true; spec: ForwardSpec } | { ok: false; error: string };

function isPath(field: string): boolean {
  if (field.startsWith('/') || field.startsWith('~') || field.startsWith('.')) return true;
  return field.includes('/') && !/^[^/]+\/\d+$/.test(field);
}

function parsePort(text: string, allowZero: boolean): number | string {
  if (!/^\d{1,5}$/.test(text)) return `"${text}" is not a port number`;
  const n = Number(text);
  if (n > 65535 || n < (allowZero ? 0 : 1)) return `port ${n} is out of range (${allowZero ? 0 : 1}–65535)`;
  return n;
}

const DEFAULT_BIND = '127.0.0.1';

function parseBind(field: string, allowZero: boolean): BindSpec | string {
  let bind: string | undefined;
  let portText: string;
  const slash = /^([^/]+)\/(\d+)$/.exec(field);
  if (slash) {
    bind = slash[1]!;
    portText = slash[2]!;
  } else if (/^\d+$/.test(field)) {
    portText = field;
  } else if (field.startsWith('[')) {
    // OpenSSH (hpdelim) takes brackets around any address, and `ssh -G` prints every bind so.
    const m = /^\[([^\]]*)\]:(.*)$/.exec(field);
    if (!m) return `"${field}" is not [ADDRESS]:PORT`;
    bind = m[1]!;
    portText = m[2]!;
  } else {
    const colon = field.lastIndexOf(':');
    if (colon < 0) return `"${field}" is not a port or bind_address:port`;
    bind = field.slice(0, colon);
    portText = field.slice(colon + 1);
    if (bind.includes(':')) return `"${field}": put an IPv6 address in brackets, as [::1]:8080`;
  }
  const port = parsePort(portText, allowZero);
  if (typeof port === 'string') return port;
  if (bind === undefined) return { host: DEFAULT_BIND, port, allInterfaces: false, defaulted: true };
  if (bind === '' || bind === '*') return { host: '0.0.0.0', port, allInterfaces: true, defaulted: false };
  if (!isValidHost(bind)) return `"${bind}" is not a valid bind address`;
  const all = bind === '0.0.0.0' || bind === '::' || bind === '::0';
  return { host: bind, port, allInterfaces: all, defaulted: false };
}

function parseTarget(field: string): HostPort | string {
  const slash = /^([^/]+)\/(\d+)$/.exec(field);
  // `[127.0.0.1]:22` — brackets around a name or an IPv4 address are valid for OpenSSH too.
  const bracketed = /^\[([^\]:]+)\]:(\d+)$/.exec(field);
  const r = slash
    ? parseHostPort(`${slash[1]!.includes(':') ? `[${slash[1]}]` : slash[1]}:${slash[2]}`)
    : bracketed
      ? parseHostPort(`${bracketed[1]}:${bracketed[2]}`)
      : parseHostPort(field);
  return r.ok ? r.value : r.error;
}

const UNIX = 'Unix-socket forwards are not supported';

export function parseForwardSpec(kind: ForwardKind, args: readonly string[]): ForwardParse {
  const fail = (error: string): ForwardParse => ({ ok: false, error });
  if (args.length === 0) return fail('missing the port to listen on');
  const first = args[0]!;
  if (kind === 'DynamicForward') {
    if (args.length > 1) return fail('expected one argument, [bind_address:]port');
    if (isPath(first)) return { ok: true, spec: { kind: 'unsupported', reason: UNIX } };
    const listen = parseBind(first, false);
    return typeof listen === 'string' ? fail(listen) : { ok: true, spec: { kind, listen } };
  }
  if (args.length > 2) return fail('expected two arguments, [bind_address:]port host:hostport');
  const second = args[1];
  if (second === undefined) {
    if (kind === 'LocalForward') return fail('missing the destination: expected [bind_address:]port host:hostport');
    if (isPath(first)) return { ok: true, spec: { kind: 'unsupported', reason: UNIX } };
    const remote = parseBind(first, true);
    if (typeof remote === 'string') return fail(remote);
    return { ok: true, spec: { kind: 'unsupported', reason: 'a RemoteForward without a destination is a reverse dynamic (SOCKS) forward, which is not supported' } };
  }
  if (isPath(first) || isPath(second)) {
    // Still check the TCP half, so a typo is not mistaken for a socket path silently.
    if (!isPath(first)) {
      const b = parseBind(first, kind === 'RemoteForward');
      if (typeof b === 'string') return fail(b);
    }
    return { ok: true, spec: { kind: 'unsupported', reason: UNIX } };
  }
  const bind = parseBind(first, kind === 'RemoteForward');
  if (typeof bind === 'string') return fail(bind);
  const target = parseTarget(second);
  if (typeof target === 'string') return fail(target);
  return kind === 'LocalForward'
    ? { ok: true, spec: { kind, listen: bind, target } }
    : { ok: true, spec: { kind, remote: bind, target } };
}
