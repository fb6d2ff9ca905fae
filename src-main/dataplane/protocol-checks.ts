import { RULE_ERROR_CODES } from '../../src-shared/model/errors';
import type {
  GcCounts,
  HostPort,
  ListenerSpec,
  PlaneEvent,
  PlaneMessage,
  PlaneRequest,
  SocksListenerSpec,
  StartResult,
  WireConnection,
  WireError,
} from './protocol';

// Checks of the data plane's messages (protocol.ts), used on both sides of the boundary. Each throws a
// ProtocolError naming the offending field; what passes is rebuilt from the known fields only.

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what}: expected an object`);
  return v as Obj;
}
function int(o: Obj, k: string, min: number, max: number): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ProtocolError(`${k}: expected an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}
function num(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ProtocolError(`${k}: expected a non-negative number`);
  return v;
}
function str(o: Obj, k: string, max = 1024): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length > max) throw new ProtocolError(`${k}: expected a string of at most ${max} characters`);
  return v;
}
function bool(o: Obj, k: string): boolean {
  if (typeof o[k] !== 'boolean') throw new ProtocolError(`${k}: expected true or false`);
  return o[k] as boolean;
}
function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[]): T {
  const v = o[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new ProtocolError(`${k}: expected one of ${allowed.join(', ')}`);
  return v as T;
}
function strings(o: Obj, k: string): string[] {
  const v = o[k];
  if (!Array.isArray(v) || v.length > 1000 || !v.every((s) => typeof s === 'string' && s.length <= 64)) {
    throw new ProtocolError(`${k}: expected a list of CIDR strings`);
  }
  return v as string[];
}
function hostPort(v: unknown, what: string): HostPort {
  const o = obj(v, what);
  const host = str(o, 'host', 255);
  if (host === '') throw new ProtocolError(`${what}.host: empty`);
  return { host, port: int(o, 'port', 0, 65535) };
}

const DAY_MS = 7 * 24 * 3600_000;

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

const MAX_ID = Number.MAX_SAFE_INTEGER;

export function checkRequest(v: unknown): PlaneRequest {
  const o = obj(v, 'request');
  const op = oneOf(o, 'op', ['start', 'stop', 'connections', 'close-connection', 'ping'] as const);
  const rid = int(o, 'rid', 0, MAX_ID);
  if (op === 'ping') return { op, rid };
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

export function checkError(v: unknown): WireError {
  const o = obj(v, 'error');
  return { code: oneOf(o, 'code', RULE_ERROR_CODES), message: str(o, 'message', 4096) };
}

const REFUSALS = ['not-allowed', 'max-connections', 'max-sessions', 'auth-failed'] as const;

function checkEvent(v: unknown): PlaneEvent {
  const o = obj(v, 'event');
  const e = oneOf(o, 'e', ['open', 'close', 'error', 'refused', 'listener-error'] as const);
  const lid = int(o, 'lid', 0, MAX_ID);
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

export function checkGcCounts(v: unknown): GcCounts | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'gc');
  return {
    major: num(o, 'major'),
    minor: num(o, 'minor'),
    incremental: num(o, 'incremental'),
    weakcb: num(o, 'weakcb'),
    majorMs: num(o, 'majorMs'),
    minorMs: num(o, 'minorMs'),
  };
}
