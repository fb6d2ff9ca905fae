import { networkInterfaces } from 'node:os';
import { formatHostPort, isLoopbackHost, isWildcardHost } from '../../src-shared/format/address';

// Which Host headers (and page Origins) browser mode answers to. DNS rebinding works by pointing a name
// the attacker owns at this machine: the victim's browser then sends `Host: evil.example` with
// `Origin: http://evil.example`, both consistent with each other. So the Host must be one this server
// was started for — its listen address, loopback names when it listens on loopback, this machine's own
// interface addresses when it listens on all of them, and names the user gave with --public-host — and
// the Origin must be one of those same hosts with the scheme served. A name nobody gave is refused.

export type UiScheme = 'http' | 'https';

/** A `--public-host` value: a name (optionally with a port), or a full origin such as `https://name`. */
export interface PublicHost {
  hostname: string;
  port?: number;
  /** Set when given as an origin (e.g. behind a TLS-terminating proxy, the page's scheme differs). */
  scheme?: UiScheme;
}

interface Allowed {
  scheme: UiScheme;
  /** `URL.host` form: lower case, punycode, IPv6 in brackets, the scheme's default port left out. */
  host: string;
}

function normHost(scheme: UiScheme, hostPort: string): string | undefined {
  try {
    const u = new URL(`${scheme}://${hostPort}`);
    // Anything beyond host[:port] (user info, a path) means it was not a plain Host value.
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return undefined;
    return u.host;
  } catch {
    return undefined;
  }
}

/** Parses one `--public-host` value; throws an Error saying what is wrong. */
export function parsePublicHost(value: string): PublicHost {
  const v = value.trim();
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  let url: URL;
  try {
    url = new URL(withScheme ? v : `http://${v}`);
  } catch {
    throw new Error(`"${value}" is not a host name, NAME:PORT or https://NAME[:PORT]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${value}": only http:// or https:// origins`);
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`"${value}": give only a host name (and port), no path or user`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname || isWildcardHost(hostname) || hostname.includes('*')) {
    throw new Error(`"${value}": name the host the browser will use, not a wildcard`);
  }
  const out: PublicHost = { hostname };
  if (url.port) out.port = Number(url.port);
  if (withScheme) {
    out.scheme = url.protocol === 'https:' ? 'https' : 'http';
    // An origin without a port means the scheme's default one, not the port this server listens on.
    out.port ??= out.scheme === 'https' ? 443 : 80;
  }
  return out;
}

/** Every IP address of this machine's interfaces (loopback included). */
export function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

export interface HostPolicyOptions {
  listenHost: string;
  port: number;
  scheme: UiScheme;
  publicHosts: readonly PublicHost[];
  /** This machine's addresses (wildcard listens); read again when an unknown Host arrives. */
  interfaces?: () => string[];
  now?: () => number;
}

export interface HostPolicy {
  hostAllowed(host: string | undefined): boolean;
  originAllowed(origin: string | undefined): boolean;
  /** The origins accepted right now, for the start banner. */
  origins(): string[];
  /** The origin to print in the URL: the first --public-host, else the listen address (127.0.0.1 for a wildcard). */
  primaryOrigin(): string;
}

const REFRESH_MS = 2_000;

export function createHostPolicy(opts: HostPolicyOptions): HostPolicy {
  const readInterfaces = opts.interfaces ?? interfaceAddresses;
  const now = opts.now ?? Date.now;
  const wildcard = isWildcardHost(opts.listenHost);
  const literalsFor = (): string[] => {
    if (wildcard) {
      // 0.0.0.0 takes IPv4 only; link-local IPv6 needs a zone id, which browsers do not take in URLs.
      const usable = readInterfaces().filter((a) => !/^fe80:/i.test(a) && (opts.listenHost === '::' || !a.includes(':')));
      return ['localhost', ...usable];
    }
    if (isLoopbackHost(opts.listenHost)) return [opts.listenHost, 'localhost', '127.0.0.1', '::1'];
    return [opts.listenHost];
  };
  const build = (): Allowed[] => {
    const out: Allowed[] = [];
    const add = (scheme: UiScheme, hostname: string, port: number) => {
      const host = normHost(scheme, formatHostPort(hostname, port));
      if (host !== undefined && !out.some((a) => a.scheme === scheme && a.host === host)) out.push({ scheme, host });
    };
    // Named hosts first: the first one given is the URL to print.
    for (const p of opts.publicHosts) add(p.scheme ?? opts.scheme, p.hostname, p.port ?? opts.port);
    for (const literal of literalsFor()) add(opts.scheme, literal, opts.port);
    return out;
  };
  let allowed = build();
  let builtAt = now();
  const matches = (test: (a: Allowed) => boolean): boolean => {
    if (allowed.some(test)) return true;
    // Addresses come and go (DHCP, VPNs): look again, at most every REFRESH_MS.
    if (!wildcard || now() - builtAt < REFRESH_MS) return false;
    allowed = build();
    builtAt = now();
    return allowed.some(test);
  };
  return {
    hostAllowed(host) {
      if (!host) return false;
      const forms = { http: normHost('http', host), https: normHost('https', host) };
      return matches((a) => forms[a.scheme] === a.host);
    },
    originAllowed(origin) {
      if (!origin) return false;
      let u: URL;
      try {
        u = new URL(origin);
      } catch {
        return false;
      }
      if (u.origin !== origin) return false;
      const scheme = u.protocol.slice(0, -1);
      return matches((a) => a.scheme === scheme && a.host === u.host);
    },
    origins: () => allowed.map((a) => `${a.scheme}://${a.host}`),
    primaryOrigin() {
      const first = opts.publicHosts[0];
      if (first) return `${first.scheme ?? opts.scheme}://${normHost(first.scheme ?? opts.scheme, formatHostPort(first.hostname, first.port ?? opts.port))}`;
      const shown = wildcard ? '127.0.0.1' : opts.listenHost;
      return `${opts.scheme}://${normHost(opts.scheme, formatHostPort(shown, opts.port))}`;
    },
  };
}
