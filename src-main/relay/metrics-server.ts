import { createServer, type Server } from 'node:http';
import { listenOn } from '../engine/listen';

/**
 * An opt-in Prometheus endpoint: GET /metrics answers the relay's counters as text. It serves nothing
 * else and is meant for loopback (the config reader refuses other addresses).
 */
export class MetricsServer {
  private server: Server | undefined;

  constructor(private readonly render: () => string | Promise<string>) {}

  async start(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if ((req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found — the metrics are at /metrics\n');
        return;
      }
      // The relay's counters live in its worker thread: asked for per request.
      Promise.resolve()
        .then(() => this.render())
        .then(
          (body) => {
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
            res.end(req.method === 'HEAD' ? undefined : body);
          },
          (err: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`the relay's counters are not available: ${err.message}\n`),
        );
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    this.server = server;
    return listenOn(server, host, port, () => undefined);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
