import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

export interface TestServer {
  server: Server;
  port: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 port 0 that tracks its sockets so tests can close everything. */
export async function listenTest(onConn: (s: Socket) => void, host = '127.0.0.1'): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function echoServer(host = '127.0.0.1'): Promise<TestServer> {
  return listenTest((s) => s.pipe(s), host);
}

/** A port that was free a moment ago (bound and released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const t = await listenTest(() => {}, host);
  await t.close();
  return t.port;
}
