import { randomBytes } from 'node:crypto';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { formatHostPort } from '../../src-shared/format/address';
import type { ApiHost } from '../api/api-host';
import { staticHandler } from './static-files';
import { createWsBridge } from './ws-bridge';

export interface UiServerOptions {
  api: ApiHost;
  host: string;
  port: number;
  rendererDir: string;
  /** Fixed token (tests); otherwise 32 random bytes per start. */
  token?: string;
}

export interface UiServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** Browser mode: serves the renderer and the API over a token-protected WebSocket on one port. */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const serve = staticHandler(opts.rendererDir);
  const sockets = new Set<Socket>();
  let origins: string[] = [];
  const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
  // Bound to all interfaces (remote admin), the page's origin is whatever address the browser used:
  // accept exactly the same origin as the Host it connected to. The token still has to match.
  const allowedOrigins = (req: IncomingMessage) =>
    wildcard && req.headers.host ? [...origins, `http://${req.headers.host}`] : origins;
  const bridge = createWsBridge({ api: opts.api, token, allowedOrigins });
  const server = createServer((req, res) => void serve(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => bridge.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = formatHostPort(opts.host, port);
  origins = [`http://${hostPort}`];
  if (opts.host === '127.0.0.1' || opts.host === '::1') origins.push(`http://localhost:${port}`);
  const shownHost = wildcard ? '127.0.0.1' : opts.host;
  if (shownHost !== opts.host) origins.push(`http://${formatHostPort(shownHost, port)}`);
  const url = `http://${formatHostPort(shownHost, port)}/#token=${token}`;
  return {
    url,
    token,
    port,
    async close() {
      await bridge.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
