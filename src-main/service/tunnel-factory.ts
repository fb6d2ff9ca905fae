import { formatHostPort } from '../../src-shared/format/address';
import type { Rule } from '../../src-shared/model/rule';
import type { MeterSnapshot } from '../engine/byte-meter';
import type { EngineError } from '../engine/engine-error';
import { TcpForwarder } from '../engine/tcp-forward';

/** What the service needs from any running tunnel, whatever its rule type. */
export interface Tunnel {
  /** Resolves with the bound address (e.g. `127.0.0.1:8080`); rejects with an EngineError. */
  start(): Promise<string>;
  stop(): Promise<void>;
  snapshot(): MeterSnapshot;
}

export interface TunnelHooks {
  /** One connection failed; the tunnel keeps running. */
  connectionError(err: EngineError, client: string): void;
  /** The tunnel as a whole broke after it started (listener died, session lost). */
  fatal(err: EngineError): void;
  connectionOpened(client: string): void;
  connectionClosed(client: string, bytesIn: number, bytesOut: number, durationMs: number): void;
}

export type TunnelFactory = (rule: Rule, hooks: TunnelHooks) => Tunnel;

export const createTunnel: TunnelFactory = (rule, hooks) => {
  switch (rule.type) {
    case 'tcp-forward': {
      const fwd = new TcpForwarder({ listen: rule.listen, target: rule.target });
      fwd.on('connection-error', (c) => hooks.connectionError(c.error, c.client));
      fwd.on('listener-error', (e) => hooks.fatal(e));
      fwd.on('connection-open', (c) => hooks.connectionOpened(c.client));
      fwd.on('connection-close', (c) => hooks.connectionClosed(c.client, c.bytesIn, c.bytesOut, c.durationMs));
      return {
        start: async () => {
          const a = await fwd.start();
          return formatHostPort(a.host, a.port);
        },
        stop: () => fwd.stop(),
        snapshot: () => fwd.meter.snapshot(),
      };
    }
  }
};
