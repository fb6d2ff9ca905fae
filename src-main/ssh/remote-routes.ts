import type { AcceptConnection, ClientChannel, RejectConnection, TcpConnectionDetails } from 'ssh2';

export type RemoteConnectionHandler = (details: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection) => void;

/** Which remote forward an incoming forwarded-tcpip channel belongs to, by the (address, port) the server listens on. */
export class RemoteRoutes {
  private readonly routes = new Map<string, RemoteConnectionHandler>();

  set(bindHost: string, port: number, handler: RemoteConnectionHandler): void {
    this.routes.set(`${bindHost}:${port}`, handler);
  }

  delete(bindHost: string, port: number): void {
    this.routes.delete(`${bindHost}:${port}`);
  }

  /** The server forgets every forward when the connection drops. */
  clear(): void {
    this.routes.clear();
  }

  /** Hands the channel to its forward, or refuses it (nobody asked for that port, or it was just cancelled). */
  dispatch(details: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection): void {
    let handler = this.routes.get(`${details.destIP}:${details.destPort}`);
    if (!handler) {
      // Servers may report the bound address differently from how it was asked ("localhost" vs
      // "127.0.0.1"); a port bound once is still unambiguous.
      const byPort = [...this.routes].filter(([key]) => key.endsWith(`:${details.destPort}`));
      if (byPort.length === 1) handler = byPort[0]?.[1];
    }
    if (handler) handler(details, accept, reject);
    else reject();
  }
}
