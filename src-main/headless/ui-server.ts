import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { formatHostPort, isLoopbackHost, isWildcardHost } from '../../src-shared/format/address';
import type { ApiHost } from '../api/api-host';
import { type TlsIdentity, loadOrCreateTlsIdentity } from '../store/tls-identity';
import { staticHandler } from './static-files';
import { type PublicHost, type UiScheme, createHostPolicy } from './ui-hosts';
import { createWsBridge, refusalResponse } from './ws-bridge';

// Slow or silent clients must not pin sockets: a request's headers within 10 s, the whole request within
// 30 s, TLS within 10 s, and no more than MAX_CONNECTIONS sockets at once (the tunnels share this process
// and its descriptor limit).
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
export const MAX_CONNECTIONS = 128;
// Distinct refused Host names worth a line in the log; past that a flood would only fill it.
const MAX_REFUSAL_LOGS = 20;

/** `auto`: TLS off loopback, plain HTTP on loopback. `on`: TLS everywhere. `insecure-http`: never TLS. */
export type UiTlsMode = 'auto' | 'on' | 'insecure-http';

export interface UiServerOptions {
  api: ApiHost;
  host: string;
  port: number;
  rendererDir: string;
  /** Where the UI's certificate is kept (`ui-cert.pem`, `ui-key.pem`), made on first use. */
  dataDir: string;
  tls?: UiTlsMode;
  /** Extra names (or origins) the browser may use to reach this server, from `--public-host`. */
  publicHosts?: readonly PublicHost[];
  /** Fixed token (tests); otherwise 32 random bytes per start. */
  token?: string;
  authTimeoutMs?: number;
  maxUnauthenticated?: number;
  maxUnauthenticatedPerAddress?: number;
  /** Refused requests worth telling the operator about (once per Host name). */
  log?: (line: string) => void;
  /** This machine's addresses, for wildcard listens (tests may pin them). */
  interfaces?: () => string[];
}

export interface UiNotice {
  level: 'info' | 'warn';
  text: string;
}

export interface UiServer {
  url: string;
  token: string;
  port: number;
  scheme: UiScheme;
  /** SHA-256 fingerprint of the certificate served, when TLS is on. */
  fingerprint?: string;
  /** What to print at start: certificate, accepted hosts, warnings. */
  notices: UiNotice[];
  origins(): string[];
  close(): Promise<void>;
}

export function uiUsesTls(host: string, mode: UiTlsMode): boolean {
  return mode === 'on' || (mode === 'auto' && !isLoopbackHost(host));
}

function loadUiIdentity(dataDir: string): Promise<TlsIdentity> {
  return loadOrCreateTlsIdentity({
    dataDir,
    prefix: 'ui',
    commonName: 'Porthole UI',
    replaceHint: 'browsers will then show the new fingerprint to check',
  });
}

const printable = (s: string | undefined) => JSON.stringify((s ?? '').slice(0, 100));

/** Browser mode: serves the renderer and the API over a token-protected WebSocket on one port. */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const mode = opts.tls ?? 'auto';
  const scheme: UiScheme = uiUsesTls(opts.host, mode) ? 'https' : 'http';
  const identity = scheme === 'https' ? await loadUiIdentity(opts.dataDir) : undefined;
  const serve = staticHandler(opts.rendererDir);
  const sockets = new Set<Socket>();
  const timeouts = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 };
  const server = identity
    ? createHttpsServer({ ...timeouts, cert: identity.cert, key: identity.key, handshakeTimeout: HANDSHAKE_TIMEOUT_MS })
    : createHttpServer(timeouts);
  server.maxConnections = MAX_CONNECTIONS;
  // A failed or timed-out handshake must free its socket (not every Node version closes it by itself).
  server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The accepted hosts include the port, known only now (port 0 picks one). Requests are handled from
  // here on: nothing is read from a socket before this code, which runs before the next I/O poll.
  const port = (server.address() as AddressInfo).port;
  const policy = createHostPolicy({
    listenHost: opts.host,
    port,
    scheme,
    publicHosts: opts.publicHosts ?? [],
    ...(opts.interfaces ? { interfaces: opts.interfaces } : {}),
  });
  const bridge = createWsBridge({
    api: opts.api,
    token,
    originAllowed: (origin) => policy.originAllowed(origin),
    ...(opts.authTimeoutMs !== undefined ? { authTimeoutMs: opts.authTimeoutMs } : {}),
    ...(opts.maxUnauthenticated !== undefined ? { maxUnauthenticated: opts.maxUnauthenticated } : {}),
    ...(opts.maxUnauthenticatedPerAddress !== undefined ? { maxUnauthenticatedPerAddress: opts.maxUnauthenticatedPerAddress } : {}),
  });

  const refusedHosts = new Set<string>();
  const hostRefusal = (req: IncomingMessage) => {
    if (policy.hostAllowed(req.headers.host)) return undefined;
    const host = req.headers.host;
    if (opts.log && host && refusedHosts.size < MAX_REFUSAL_LOGS && !refusedHosts.has(host)) {
      refusedHosts.add(host);
      opts.log(
        `refused a request from ${req.socket.remoteAddress ?? '?'} for host ${printable(host)}: not a host this UI was started for — ` +
          'if that is how you reach this machine, restart porthole ui with --public-host NAME',
      );
    }
    // The accepted names are not listed here: a rebinding page can read this answer.
    return {
      status: 421,
      message:
        `This Porthole UI does not answer to the host name ${printable(host)}. Open it by an address it was started for ` +
        '(porthole ui prints them), or restart it with --public-host NAME.',
    };
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = hostRefusal(req);
    if (refusal) {
      res.writeHead(refusal.status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', Connection: 'close' });
      res.end(`${refusal.message}\n`);
      return;
    }
    void serve(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = hostRefusal(req);
    if (refusal) socket.end(refusalResponse(refusal));
    else bridge.handleUpgrade(req, socket, head);
  });
  const url = `${policy.primaryOrigin()}/#token=${token}`;

  const notices: UiNotice[] = [];
  const where = formatHostPort(opts.host, port);
  if (identity) {
    notices.push({
      level: 'info',
      text:
        `TLS certificate SHA-256 fingerprint ${identity.fingerprint} (self-signed, ${identity.created ? 'made now and ' : ''}kept in ${identity.certFile}). ` +
        'The browser will warn that it does not know this certificate: open its certificate viewer and continue only if the SHA-256 fingerprint is this one.',
    });
  }
  const others = isWildcardHost(opts.host) ? ' (and any address this machine gains later)' : '';
  notices.push({
    level: 'info',
    text: `Accepts pages from ${policy.origins().join(', ')}${others}; any other host name is refused — add one with --public-host NAME.`,
  });
  if (!isLoopbackHost(opts.host)) {
    notices.push({ level: 'warn', text: `warning: the UI listens on ${where} — anyone who can reach it and has the token controls Porthole` });
    if (!identity) {
      notices.push({
        level: 'warn',
        text:
          `WARNING: --insecure-http: the UI on ${where} is served over plain HTTP. The access token and everything shown or typed in ` +
          'the UI (including passwords) cross the network unencrypted: anyone on the path can read them and take control of Porthole. ' +
          'Use it only on a network you trust, or start without --insecure-http to get TLS.',
      });
    }
  }

  return {
    url,
    token,
    port,
    scheme,
    ...(identity ? { fingerprint: identity.fingerprint } : {}),
    notices,
    origins: () => policy.origins(),
    async close() {
      await bridge.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
