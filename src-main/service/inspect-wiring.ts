import type { LogLine } from '../../src-shared/model/log-text';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type Rule, ruleInspect } from '../../src-shared/model/rule';
import type { Endpoint } from '../../src-shared/model/primitives';
import { connectDeadline } from '../engine/connect-deadline';
import { connectError } from '../engine/engine-error';
import type { TapFactory } from '../engine/stream-tap';
import type { ReplayDial } from '../inspector/replay';
import type { InspectedRule, InspectorService } from './inspector-service';

/** What a tunnel of an inspected rule gets: the tap for its connections, and where replays go while it runs. */
export interface Inspection {
  tap: TapFactory;
  /** The tunnel is up: replays go through `dial`. */
  armed(dial: ReplayDial): void;
  disarmed(): void;
}

/** The inspection of one start of `rule`'s tunnel, when it has "Inspect HTTP" on. */
export function inspectionFor(rule: Rule, note: (message: string, line: LogLine) => void, inspector: InspectorService | undefined): Inspection | undefined {
  const inspect = inspector ? ruleInspect(rule) : undefined;
  if (!inspector || !inspect || !('target' in rule)) return undefined;
  const r: InspectedRule = { id: rule.id, name: rule.name, inspect, target: rule.target };
  return {
    tap: inspector.tapFor(r, note),
    armed: (dial) => inspector.setDialer(r, dial),
    disarmed: () => inspector.setDialer(r, undefined),
  };
}

/** A replay's connection straight to a target reachable from here (tcp-forward, relay-expose). */
export function directDial(target: Endpoint, timeoutMs = 10_000): ReplayDial {
  return () =>
    new Promise<Duplex>((resolve, reject) => {
      const { host, port } = target;
      const socket = net.connect({ host, port, allowHalfOpen: false, noDelay: true });
      const late = connectDeadline(socket, host, port, timeoutMs);
      const timer = setTimeout(() => socket.destroy(late()), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(connectError(err, host, port));
      });
    });
}
