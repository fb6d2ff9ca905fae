import { sourceFilter } from '../../src-shared/format/cidr';
import type { Rule } from '../../src-shared/model/rule';
import { TcpForwarder } from '../engine/tcp-forward';
import { type Inspection, directDial } from './inspect-wiring';
import { type BindFn, listeningRows, wireListening } from './ssh-tunnels';
import type { Tunnel, TunnelHooks } from './tunnel-factory';

/**
 * A tcp-forward rule with "Inspect HTTP" on. Its listener runs in this (the control) thread, not in the
 * data plane: the inspector's tap is called synchronously with every chunk and parses, stores and
 * replays here. Inspection is a debugging mode; the data plane is for mappings that only move bytes.
 */
export function createInspectedForwardTunnel(rule: Extract<Rule, { type: 'tcp-forward' }>, hooks: TunnelHooks, bind: BindFn, inspection: Inspection): Tunnel {
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
    tap: inspection.tap,
  });
  wireListening(fwd, hooks);
  fwd.on('connection-refused', (c) => hooks.refused(c.client, c.reason));
  return {
    start: async () => {
      const address = await bind('tcp', rule.listen.host, rule.listen.port, () => fwd.start());
      inspection.armed(directDial(rule.target, o.connectTimeoutMs));
      return address;
    },
    stop: () => {
      inspection.disarmed();
      return fwd.stop();
    },
    snapshot: () => fwd.meter.snapshot(),
    connections: () => listeningRows(fwd),
    closeConnection: (id) => fwd.closeConnection(id),
  };
}
