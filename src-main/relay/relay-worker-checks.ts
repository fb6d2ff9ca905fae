import { checkLogLine } from '../../src-shared/model/log-text';
import type { RelayAgentStatus, RelayExposureStatus, RelayServerStatus } from '../../src-shared/model/relay';
import type { DataPoolOptions } from './relay-data-pool';
import type { RelayIdentity } from './relay-identity';
import { RELAY_LIMIT_FIELDS, type RelayLimits } from './relay-limits';
import type { RelayAgentPolicy, RelayPolicy } from './relay-policy';
import type { RelayWorkerMessage, RelayWorkerOptions, RelayWorkerRequest } from './relay-worker-protocol';

// Hand-written checks of what crosses between RelayHost and the relay's worker thread (no zod: the
// main thread's side must not pull the relay protocol's schemas in, and these shapes are small). Each
// throws a RelayWorkerProtocolError naming the field; what passes is rebuilt from known fields only.

export class RelayWorkerProtocolError extends Error {
  override readonly name = 'RelayWorkerProtocolError';
}

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RelayWorkerProtocolError(`${what}: expected an object`);
  return v as Obj;
}
function list(v: unknown, what: string, max = 100_000): unknown[] {
  if (!Array.isArray(v) || v.length > max) throw new RelayWorkerProtocolError(`${what}: expected a list of at most ${max}`);
  return v;
}
function int(o: Obj, k: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RelayWorkerProtocolError(`${k}: expected an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}
function str(o: Obj, k: string, max = 4096): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length > max) throw new RelayWorkerProtocolError(`${k}: expected a string of at most ${max} characters`);
  return v;
}
function bool(o: Obj, k: string): boolean {
  if (typeof o[k] !== 'boolean') throw new RelayWorkerProtocolError(`${k}: expected true or false`);
  return o[k] as boolean;
}
/** The field when present (undefined stays absent in the rebuilt object). */
function opt<T>(o: Obj, k: string, read: (o: Obj, k: string) => T): { [key: string]: T } {
  return o[k] === undefined ? {} : { [k]: read(o, k) };
}
function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[]): T {
  const v = o[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new RelayWorkerProtocolError(`${k}: expected one of ${allowed.join(', ')}`);
  return v as T;
}
function hostPort(v: unknown, what: string): { host: string; port: number } {
  const o = obj(v, what);
  return { host: str(o, 'host', 256), port: int(o, 'port', 0, 65535) };
}
function ranges(v: unknown): Array<{ from: number; to: number }> {
  return list(v, 'allowPorts').map((r) => {
    const o = obj(r, 'allowPorts[]');
    return { from: int(o, 'from', 0, 65535), to: int(o, 'to', 0, 65535) };
  });
}
function limits(v: unknown, what: string): Partial<RelayLimits> {
  const o = obj(v, what);
  const out: Partial<RelayLimits> = {};
  for (const k of RELAY_LIMIT_FIELDS) if (o[k] !== undefined) out[k] = int(o, k);
  return out;
}

function agentPolicy(v: unknown): RelayAgentPolicy {
  const o = obj(v, 'agent');
  return {
    name: str(o, 'name', 256),
    ...(opt(o, 'token', str) as { token?: string }),
    ports: list(o.ports, 'ports').map((p) => {
      const q = obj(p, 'ports[]');
      return { type: oneOf(q, 'type', ['tcp', 'http', 'udp'] as const), bind: hostPort(q.bind, 'bind'), remotePort: int(q, 'remotePort', 0, 65535) };
    }),
    allowPorts: ranges(o.allowPorts),
  };
}

function policy(v: unknown): RelayPolicy {
  const o = obj(v, 'policy');
  return {
    bind: hostPort(o.bind, 'bind'),
    ...(opt(o, 'token', str) as { token?: string }),
    ...(opt(o, 'tls', bool) as { tls?: boolean }),
    ...(opt(o, 'publicHost', (x, k) => str(x, k, 256)) as { publicHost?: string }),
    ...(o.metrics === undefined ? {} : { metrics: hostPort(o.metrics, 'metrics') }),
    ...(o.limits === undefined ? {} : { limits: limits(o.limits, 'policy.limits') }),
    agents: list(o.agents, 'agents').map(agentPolicy),
  };
}

function identity(v: unknown): RelayIdentity {
  const o = obj(v, 'identity');
  return { cert: str(o, 'cert', 65536), key: str(o, 'key', 65536), fingerprint: str(o, 'fingerprint', 256), created: bool(o, 'created'), certFile: str(o, 'certFile') };
}

function dataConnections(v: unknown): false | Partial<DataPoolOptions> {
  if (v === false) return false;
  const o = obj(v, 'dataConnections');
  const out: Partial<DataPoolOptions> = {};
  for (const k of ['min', 'max', 'ticketTtlMs', 'shrinkAfterMs', 'refillPerSecond'] as const) if (o[k] !== undefined) out[k] = int(o, k);
  return out;
}

/** The worker's options (workerData.options). */
export function checkWorkerOptions(v: unknown): RelayWorkerOptions {
  const o = obj(v, 'options');
  return {
    policy: policy(o.policy),
    ...(o.identity === undefined ? {} : { identity: identity(o.identity) }),
    ...(opt(o, 'insecureNoAuth', bool) as { insecureNoAuth?: boolean }),
    ...(opt(o, 'heartbeatIntervalMs', int) as { heartbeatIntervalMs?: number }),
    ...(opt(o, 'heartbeatTimeoutMs', int) as { heartbeatTimeoutMs?: number }),
    ...(o.limits === undefined ? {} : { limits: limits(o.limits, 'limits') }),
    ...(opt(o, 'maxExposuresPerAgent', int) as { maxExposuresPerAgent?: number }),
    ...(o.dataConnections === undefined ? {} : { dataConnections: dataConnections(o.dataConnections) }),
  };
}

/** A request from the host, in the worker. */
export function checkWorkerRequest(v: unknown): RelayWorkerRequest {
  const o = obj(v, 'request');
  return { op: oneOf(o, 'op', ['start', 'stop', 'status', 'metrics'] as const), rid: int(o, 'rid', 1) };
}

function exposure(v: unknown): RelayExposureStatus {
  const o = obj(v, 'exposure');
  return {
    id: str(o, 'id', 256),
    protocol: oneOf(o, 'protocol', ['tcp', 'udp'] as const),
    kind: oneOf(o, 'kind', ['tcp', 'http'] as const),
    publicAddress: str(o, 'publicAddress', 300),
    source: oneOf(o, 'source', ['config', 'agent'] as const),
    ...(opt(o, 'localPort', (x, k) => int(x, k, 0, 65535)) as { localPort?: number }),
    ...(opt(o, 'name', str) as { name?: string }),
    bytesIn: int(o, 'bytesIn'),
    bytesOut: int(o, 'bytesOut'),
    activeConnections: int(o, 'activeConnections'),
    totalConnections: int(o, 'totalConnections'),
  };
}

function agentStatus(v: unknown): RelayAgentStatus {
  const o = obj(v, 'agent status');
  return {
    name: str(o, 'name', 256),
    online: bool(o, 'online'),
    ...(opt(o, 'address', (x, k) => str(x, k, 300)) as { address?: string }),
    ...(opt(o, 'since', int) as { since?: number }),
    exposures: list(o.exposures, 'exposures').map(exposure),
    allowPorts: str(o, 'allowPorts'),
    configuredPorts: int(o, 'configuredPorts'),
  };
}

/** The relay's status as the worker reports it (no router or error: the host adds those). */
export function checkStatus(v: unknown): RelayServerStatus {
  const o = obj(v, 'status');
  return {
    running: bool(o, 'running'),
    ...(opt(o, 'listening', (x, k) => str(x, k, 300)) as { listening?: string }),
    tls: bool(o, 'tls'),
    ...(opt(o, 'fingerprint', (x, k) => str(x, k, 256)) as { fingerprint?: string }),
    ...(opt(o, 'startedAt', int) as { startedAt?: number }),
    agents: list(o.agents, 'agents').map(agentStatus),
    warnings: list(o.warnings, 'warnings', 1000).map((w) => {
      if (typeof w !== 'string') throw new RelayWorkerProtocolError('warnings[]: expected a string');
      return w;
    }),
  };
}

/** A message from the worker, in the host. Replies' values are checked by whoever asked (checkStatus, …). */
export function checkWorkerMessage(v: unknown): RelayWorkerMessage {
  const o = obj(v, 'message');
  switch (oneOf(o, 't', ['ready', 'reply', 'status', 'log'] as const)) {
    case 'ready':
      return { t: 'ready', protocol: int(o, 'protocol') };
    case 'reply': {
      const rid = int(o, 'rid', 1);
      if (bool(o, 'ok')) return { t: 'reply', rid, ok: true, value: o.value };
      const e = obj(o.error, 'error');
      return { t: 'reply', rid, ok: false, error: { code: str(e, 'code', 64), message: str(e, 'message') } };
    }
    case 'status':
      return { t: 'status', status: checkStatus(o.status), changed: bool(o, 'changed') };
    case 'log': {
      // The line's code and fields (log-text.ts), rebuilt: a window renders them in its language.
      const level = oneOf(o, 'level', ['info', 'warn', 'error'] as const);
      const message = str(o, 'message', 65536);
      const line = checkLogLine(o.line);
      if (!line) throw new RelayWorkerProtocolError('log line: expected a known log code with short text or number fields');
      return { t: 'log', level, message, line };
    }
  }
}

/** `start`'s answer: the bound address. */
export function checkBound(v: unknown): { host: string; port: number } {
  return hostPort(v, 'bound address');
}

/** `metrics`' answer: Prometheus text. */
export function checkMetricsText(v: unknown): string {
  if (typeof v !== 'string' || v.length > 16 * 1024 * 1024) throw new RelayWorkerProtocolError('metrics: expected text');
  return v;
}
