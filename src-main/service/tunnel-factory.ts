import { formatHostPort } from '../../src-shared/format/address';
import { sourceFilter } from '../../src-shared/format/cidr';
import type { ConnectionRow } from '../../src-shared/model/connection';
import type { Rule } from '../../src-shared/model/rule';
import type { MeterSnapshot } from '../engine/byte-meter';
import { EngineError } from '../engine/engine-error';
import { describePortInUse } from '../engine/port-owner';
import { TcpForwarder } from '../engine/tcp-forward';
import { UdpForwarder } from '../engine/udp-forward';
import { type Inspection, directDial, inspectionFor } from './inspect-wiring';
import type { InspectorService } from './inspector-service';
import { type RelayContext, createRelayTunnel } from './relay-tunnels';
import { type SshContext, createSocksTunnel, createSshTunnel } from './ssh-tunnels';

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
  connections(): TunnelConnection[];
  closeConnection(id: number): boolean;
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
  /** A line for the rule's log (e.g. one HTTP request through a relay exposure). */
  note(message: string): void;
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
 * rules with "Inspect HTTP" on get a tap from the inspector.
 */
export function makeTunnelFactory(ssh: SshContext, relay: RelayContext, inspector?: InspectorService): TunnelFactory {
  return (rule, hooks) => {
    const inspection = inspectionFor(rule, (m) => hooks.note(m), inspector);
    switch (rule.type) {
      case 'relay-expose':
        return createRelayTunnel(rule, hooks, relay, inspection);
      case 'ssh-local':
      case 'ssh-remote':
      case 'ssh-dynamic':
        return createSshTunnel(rule, hooks, ssh, bind, inspection);
      case 'socks':
        return createSocksTunnel(rule, hooks, ssh, bind);
      default:
        return createForwardTunnel(rule, hooks, inspection);
    }
  };
}

function createForwardTunnel(rule: Extract<Rule, { type: 'tcp-forward' | 'udp-forward' }>, hooks: TunnelHooks, inspection: Inspection | undefined): Tunnel {
  switch (rule.type) {
    case 'tcp-forward': {
      const o = rule.options;
      const fwd = new TcpForwarder({
        listen: rule.listen,
        target: rule.target,
        connectTimeoutMs: o.connectTimeoutMs,
        idleTimeoutMs: o.idleTimeoutMs,
        keepAlive: o.keepAlive,
        maxConnections: o.maxConnections,
        allow: sourceFilter(o.allow, o.deny),
        ...(o.proxyProtocol !== 'off' ? { proxyProtocol: o.proxyProtocol } : {}),
        ...(inspection ? { tap: inspection.tap } : {}),
      });
      fwd.on('connection-error', (c) => hooks.connectionError(c.error, c.client));
      fwd.on('listener-error', (e) => hooks.fatal(e));
      fwd.on('connection-open', (c) => hooks.connectionOpened(c.client));
      fwd.on('connection-close', (c) => hooks.connectionClosed(c.client, c.bytesIn, c.bytesOut, c.durationMs));
      fwd.on('connection-refused', (c) => hooks.refused(c.client, c.reason));
      return {
        start: async () => {
          const address = await bind('tcp', rule.listen.host, rule.listen.port, () => fwd.start());
          inspection?.armed(directDial(rule.target, o.connectTimeoutMs));
          return address;
        },
        stop: () => {
          inspection?.disarmed();
          return fwd.stop();
        },
        snapshot: () => fwd.meter.snapshot(),
        connections: () =>
          fwd.connections().map((c) => ({
            id: c.id,
            protocol: 'tcp' as const,
            client: c.client,
            since: c.openedAt,
            bytesIn: c.bytesIn,
            bytesOut: c.bytesOut,
            state: c.state,
          })),
        closeConnection: (id) => fwd.closeConnection(id),
      };
    }
    case 'udp-forward': {
      const o = rule.options;
      const fwd = new UdpForwarder({
        listen: rule.listen,
        target: rule.target,
        idleTimeoutMs: o.idleTimeoutMs,
        maxSessions: o.maxSessions,
        allow: sourceFilter(o.allow, o.deny),
      });
      fwd.on('session-error', (c) => hooks.connectionError(c.error, c.client));
      fwd.on('listener-error', (e) => hooks.fatal(e));
      fwd.on('session-open', (c) => hooks.connectionOpened(c.client));
      fwd.on('session-close', (c) => hooks.connectionClosed(c.client, c.bytesIn, c.bytesOut, c.durationMs));
      fwd.on('session-refused', (c) => hooks.refused(c.client, c.reason === 'not-allowed' ? 'not-allowed' : 'max-sessions'));
      return {
        start: () => bind('udp', rule.listen.host, rule.listen.port, () => fwd.start()),
        stop: () => fwd.stop(),
        snapshot: () => fwd.meter.snapshot(),
        connections: () =>
          fwd.sessions().map((c) => ({
            id: c.id,
            protocol: 'udp' as const,
            client: c.client,
            since: c.openedAt,
            bytesIn: c.bytesIn,
            bytesOut: c.bytesOut,
            state: 'active' as const,
          })),
        closeConnection: (id) => fwd.closeSession(id),
      };
    }
  }
}
