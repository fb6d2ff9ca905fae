import type { LogLine } from '../../src-shared/model/log-text';
import { formatHostPort } from '../../src-shared/format/address';
import type { ConnectionRow } from '../../src-shared/model/connection';
import type { Rule } from '../../src-shared/model/rule';
import type { MeterSnapshot } from '../engine/byte-meter';
import { EngineError } from '../engine/engine-error';
import { describePortInUse } from '../engine/port-owner';
import type { DataPlane } from '../dataplane/data-plane';
import { createInspectedForwardTunnel } from './inspected-forward';
import { inspectionFor } from './inspect-wiring';
import type { InspectorService } from './inspector-service';
import { createPlaneTunnel, listenerSpec } from './plane-tunnels';
import { type RelayContext, createRelayTunnel } from './relay-tunnels';
import { type SshContext, createSshTunnel, socksAuth } from './ssh-tunnels';

/** One live connection as the service sees it; the rule id is added by the service. */
export type TunnelConnection = Omit<ConnectionRow, 'ruleId'>;

/**
 * Whether a started tunnel can carry traffic. Tunnels over a shared connection (SSH) stay bound while
 * that connection is re-established: `down` then shows the rule as retrying without tearing it down.
 */
export type TunnelHealth =
  | { kind: 'up' }
  | { kind: 'down'; error: EngineError; nextRetryAt?: number }
  | { kind: 'failed'; error: EngineError };

/** What the service needs from any running tunnel, whatever its rule type. */
export interface Tunnel {
  /** Resolves with the bound address (e.g. `127.0.0.1:8080`); rejects with an EngineError. */
  start(): Promise<string>;
  stop(): Promise<void>;
  snapshot(): MeterSnapshot;
  /** Asynchronous where the tunnel runs in the data plane (the list comes back as a message). */
  connections(): TunnelConnection[] | Promise<TunnelConnection[]>;
  closeConnection(id: number): boolean | Promise<boolean>;
  /** Absent: always up once started. */
  health?(): TunnelHealth;
}

export type RefusalReason = 'not-allowed' | 'max-connections' | 'max-sessions';

export interface TunnelHooks {
  /** One connection failed; the tunnel keeps running. */
  connectionError(err: EngineError, client: string): void;
  /** The tunnel as a whole broke after it started (listener died, session lost). */
  fatal(err: EngineError): void;
  connectionOpened(client: string): void;
  connectionClosed(client: string, bytesIn: number, bytesOut: number, durationMs: number): void;
  /** A client was turned away by policy (allow/deny list, connection cap). */
  refused(client: string, reason: RefusalReason): void;
  /** health() may have changed. */
  healthChanged(): void;
  /** The tunnel is reachable at a new address (an SSH server assigned a new remote port). */
  boundChanged(address: string): void;
  /** A line for the rule's log (e.g. one HTTP request through a relay exposure); info unless said. */
  note(message: string, line: LogLine, level?: 'info' | 'warn'): void;
}

export type TunnelFactory = (rule: Rule, hooks: TunnelHooks) => Tunnel;

/** Starts a listener; a taken port gets a message naming its holder and a free port to use instead. */
async function bind(protocol: 'tcp' | 'udp', host: string, port: number, start: () => Promise<{ host: string; port: number }>) {
  try {
    const a = await start();
    return formatHostPort(a.host, a.port);
  } catch (err) {
    if (err instanceof EngineError && err.code === 'PORT_IN_USE') {
      throw new EngineError('PORT_IN_USE', await describePortInUse(protocol, host, port), err.cause ?? err);
    }
    throw err;
  }
}

/**
 * The factory for every rule type; SSH rule types need the session pool, relay rules the agent pool;
 * tcp-forward, udp-forward and socks rules run their listeners in the data plane; rules with "Inspect
 * HTTP" on get a tap from the inspector.
 */
export function makeTunnelFactory(ssh: SshContext, relay: RelayContext, plane: DataPlane, inspector?: InspectorService): TunnelFactory {
  return (rule, hooks) => {
    const inspection = inspectionFor(rule, (m, line) => hooks.note(m, line), inspector);
    switch (rule.type) {
      case 'relay-expose':
        return createRelayTunnel(rule, hooks, relay, inspection);
      case 'ssh-local':
      case 'ssh-remote':
      case 'ssh-dynamic':
        return createSshTunnel(rule, hooks, ssh, bind, inspection);
      case 'tcp-forward':
        // The inspector parses what it taps in this thread: an inspected mapping forwards here too.
        if (inspection) return createInspectedForwardTunnel(rule, hooks, bind, inspection);
        return createPlaneTunnel(rule, hooks, plane, bind, () => listenerSpec(rule, () => undefined));
      case 'udp-forward':
        return createPlaneTunnel(rule, hooks, plane, bind, () => listenerSpec(rule, () => undefined));
      case 'socks':
        return createPlaneTunnel(rule, hooks, plane, bind, () => listenerSpec(rule, () => socksAuth(rule, ssh)));
    }
  };
}
