import type {
  ListenerSpec,
  PlaneEvent,
  PlaneMessage,
  PlaneRequest,
  SocksListenerSpec,
  StartResult,
  WireConnection,
} from './protocol';

// Checks of the data plane's messages (protocol.ts), used on both sides of the boundary. Each throws a
// ProtocolError naming the offending field; what passes is rebuilt from the known fields only. The
// relay agent's messages are checked in agent-checks.ts.

import { AGENT_EVENTS, AGENT_OPS, checkAgentEvent, checkAgentRequest, isAgentEvent, isAgentOp } from './agent-checks';
import { bool, checkError, DAY_MS, hostPort, int, MAX_ID, num, obj, oneOf, ProtocolError, str, strings } from './check-helpers';

export { checkError, ProtocolError } from './check-helpers';

export function checkSpec(v: unknown): ListenerSpec {
  const o = obj(v, 'spec');
  const kind = oneOf(o, 'kind', ['tcp', 'udp', 'socks'] as const);
  const listen = hostPort(o.listen, 'listen');
  const allow = strings(o, 'allow');
  const deny = strings(o, 'deny');
  switch (kind) {
    case 'tcp':
      return {
        kind,
        listen,
        target: hostPort(o.target, 'target'),
        connectTimeoutMs: int(o, 'connectTimeoutMs', 1, DAY_MS),
        idleTimeoutMs: int(o, 'idleTimeoutMs', 0, DAY_MS),
        keepAlive: bool(o, 'keepAlive'),
        maxConnections: int(o, 'maxConnections', 0, 10_000_000),
        allow,
        deny,
        proxyProtocol: oneOf(o, 'proxyProtocol', ['off', 'v1', 'v2'] as const),
      };
    case 'udp':
      return {
        kind,
        listen,
        target: hostPort(o.target, 'target'),
        idleTimeoutMs: int(o, 'idleTimeoutMs', 1, DAY_MS),
        maxSessions: int(o, 'maxSessions', 1, 10_000_000),
        allow,
        deny,
      };
    case 'socks': {
      let auth: SocksListenerSpec['auth'];
      if (o.auth !== undefined) {
        const a = obj(o.auth, 'auth');
        auth = { username: str(a, 'username', 255), password: str(a, 'password', 255) };
      }
      return {
        kind,
        listen,
        connectTimeoutMs: int(o, 'connectTimeoutMs', 1, DAY_MS),
        handshakeTimeoutMs: int(o, 'handshakeTimeoutMs', 1, DAY_MS),
        ...(auth ? { auth } : {}),
        allow,
        deny,
        maxConnections: int(o, 'maxConnections', 0, 10_000_000),
      };
    }
  }
}

export function checkRequest(v: unknown): PlaneRequest {
  const o = obj(v, 'request');
  const op = oneOf(o, 'op', ['start', 'stop', 'connections', 'close-connection', 'ping', ...AGENT_OPS] as const);
  const rid = int(o, 'rid', 0, MAX_ID);
  if (op === 'ping') return { op, rid };
  if (isAgentOp(op)) return checkAgentRequest(o, op, rid);
  const lid = int(o, 'lid', 0, MAX_ID);
  switch (op) {
    case 'start':
      return { op, rid, lid, spec: checkSpec(o.spec) };
    case 'close-connection':
      return { op, rid, lid, id: int(o, 'id', 0, MAX_ID) };
    default:
      return { op, rid, lid };
  }
}

const REFUSALS = ['not-allowed', 'max-connections', 'max-sessions', 'auth-failed'] as const;

function checkEvent(v: unknown): PlaneEvent {
  const o = obj(v, 'event');
  const e = oneOf(o, 'e', ['open', 'close', 'error', 'refused', 'listener-error', ...AGENT_EVENTS] as const);
  const lid = int(o, 'lid', 0, MAX_ID);
  if (isAgentEvent(e)) return checkAgentEvent(o, e, lid);
  switch (e) {
    case 'open':
      return { e, lid, id: int(o, 'id', 0, MAX_ID), client: str(o, 'client', 300) };
    case 'close': {
      const ev: PlaneEvent = {
        e,
        lid,
        id: int(o, 'id', 0, MAX_ID),
        client: str(o, 'client', 300),
        bytesIn: num(o, 'bytesIn'),
        bytesOut: num(o, 'bytesOut'),
        durationMs: num(o, 'durationMs'),
      };
      if (o.packetsIn !== undefined) ev.packetsIn = num(o, 'packetsIn');
      if (o.packetsOut !== undefined) ev.packetsOut = num(o, 'packetsOut');
      if (o.reason !== undefined) ev.reason = str(o, 'reason', 32);
      return ev;
    }
    case 'error':
      return { e, lid, ...(o.id !== undefined ? { id: int(o, 'id', 0, MAX_ID) } : {}), client: str(o, 'client', 300), error: checkError(o.error) };
    case 'refused':
      return { e, lid, client: str(o, 'client', 300), reason: oneOf(o, 'reason', REFUSALS) };
    case 'listener-error':
      return { e, lid, error: checkError(o.error) };
  }
}

export function checkMessage(v: unknown): PlaneMessage {
  const o = obj(v, 'message');
  const t = oneOf(o, 't', ['ready', 'reply', 'events'] as const);
  switch (t) {
    case 'ready':
      return { t, protocol: int(o, 'protocol', 0, 1_000_000) };
    case 'reply': {
      const rid = int(o, 'rid', 0, MAX_ID);
      return bool(o, 'ok') ? { t, rid, ok: true, value: o.value } : { t, rid, ok: false, error: checkError(o.error) };
    }
    case 'events': {
      if (!Array.isArray(o.events)) throw new ProtocolError('events: expected a list');
      return { t, events: o.events.map(checkEvent) };
    }
  }
}

export function checkStartResult(v: unknown): StartResult {
  const o = obj(v, 'start result');
  if (!(o.meter instanceof SharedArrayBuffer) || o.meter.byteLength < 32) throw new ProtocolError('meter: expected a SharedArrayBuffer of the meter cells');
  return { host: str(o, 'host', 255), port: int(o, 'port', 0, 65535), meter: o.meter };
}

const STATES = ['connecting', 'open', 'half-closed', 'active'] as const;

export function checkConnections(v: unknown): WireConnection[] {
  if (!Array.isArray(v)) throw new ProtocolError('connections: expected a list');
  return v.map((x) => {
    const o = obj(x, 'connection');
    return {
      id: int(o, 'id', 0, MAX_ID),
      client: str(o, 'client', 300),
      openedAt: num(o, 'openedAt'),
      bytesIn: num(o, 'bytesIn'),
      bytesOut: num(o, 'bytesOut'),
      state: oneOf(o, 'state', STATES),
    };
  });
}
