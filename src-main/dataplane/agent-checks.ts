import { checkLogLine } from '../../src-shared/model/log-text';
import type { AgentExposureSpec, AgentSessionSpec, AgentStats, PlaneEvent, PlaneRequest } from './protocol';
import { bool, checkError, DAY_MS, hostPort, int, MAX_ID, num, type Obj, obj, oneOf, ProtocolError, str } from './check-helpers';

// Checks of the relay agent's data-plane messages (the `agent-*` ops and `relay-*`/`log` events of
// protocol.ts), in the style of protocol-checks.ts: rebuilt from the known fields only.

export const AGENT_OPS = ['agent-start', 'agent-grant', 'agent-expose', 'agent-unexpose', 'agent-drain', 'agent-connections', 'agent-close', 'agent-stats'] as const;
export const AGENT_EVENTS = ['relay-open', 'relay-close', 'relay-error', 'relay-http', 'log'] as const;

export function isAgentOp(op: string): op is (typeof AGENT_OPS)[number] {
  return (AGENT_OPS as readonly string[]).includes(op);
}

export function isAgentEvent(e: string): e is (typeof AGENT_EVENTS)[number] {
  return (AGENT_EVENTS as readonly string[]).includes(e);
}

const FINGERPRINT = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;
const HEX_KEY = /^[0-9a-f]{64}$/;

function checkSessionSpec(v: unknown): AgentSessionSpec {
  const o = obj(v, 'spec');
  const tls = bool(o, 'tls');
  const spec: AgentSessionSpec = {
    relay: hostPort(o.relay, 'relay'),
    tls,
    session: str(o, 'session', 64),
    key: str(o, 'key', 64),
    label: str(o, 'label', 300),
    connectTimeoutMs: int(o, 'connectTimeoutMs', 1, DAY_MS),
  };
  if (!HEX_KEY.test(spec.key)) throw new ProtocolError('key: expected 32 bytes in hex');
  if (spec.session === '') throw new ProtocolError('session: empty');
  if (o.servername !== undefined) spec.servername = str(o, 'servername', 255);
  if (o.fingerprint !== undefined) spec.fingerprint = str(o, 'fingerprint', 95);
  // Fail closed: a TLS session without the fingerprint to check the relay against is refused here.
  if (tls && !(spec.fingerprint && FINGERPRINT.test(spec.fingerprint))) throw new ProtocolError('fingerprint: a TLS session needs the relay certificate\'s SHA-256 fingerprint (AA:BB:…)');
  return spec;
}

function checkExposure(v: unknown): AgentExposureSpec {
  const o = obj(v, 'exposure');
  if (!(o.meter instanceof SharedArrayBuffer) || o.meter.byteLength < 32) throw new ProtocolError('meter: expected a SharedArrayBuffer of the meter cells');
  const x = str(o, 'x', 64);
  if (x === '') throw new ProtocolError('x: empty');
  return { x, kind: oneOf(o, 'kind', ['tcp', 'http'] as const), target: hostPort(o.target, 'target'), connectTimeoutMs: int(o, 'connectTimeoutMs', 1, DAY_MS), meter: o.meter };
}

export function checkAgentRequest(o: Obj, op: (typeof AGENT_OPS)[number], rid: number): PlaneRequest {
  const lid = int(o, 'lid', 0, MAX_ID);
  switch (op) {
    case 'agent-start':
      return { op, rid, lid, spec: checkSessionSpec(o.spec) };
    case 'agent-grant': {
      const ids = o.ids;
      if (!Array.isArray(ids) || ids.length > 1000 || !ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 2 ** 31 - 1)) throw new ProtocolError('ids: expected a list of ticket ids');
      return { op, rid, lid, ids: ids as number[], exp: int(o, 'exp', 1, MAX_ID) };
    }
    case 'agent-expose':
      return { op, rid, lid, exposure: checkExposure(o.exposure) };
    case 'agent-unexpose':
    case 'agent-connections':
      return { op, rid, lid, x: str(o, 'x', 64) };
    case 'agent-close':
      return { op, rid, lid, x: str(o, 'x', 64), id: int(o, 'id', 0, MAX_ID) };
    case 'agent-drain':
    case 'agent-stats':
      return { op, rid, lid };
  }
}

export function checkAgentEvent(o: Obj, e: (typeof AGENT_EVENTS)[number], lid: number): PlaneEvent {
  if (e === 'log') {
    const level = oneOf(o, 'level', ['info', 'warn', 'error'] as const);
    const message = str(o, 'message', 4096);
    // The line's code and fields, rebuilt (a window shows it in its language).
    const line = checkLogLine(o.line);
    if (!line) throw new ProtocolError('line: expected a known log code with short text or number fields');
    return { e, lid, level, message, line };
  }
  const x = str(o, 'x', 64);
  const client = str(o, 'client', 300);
  switch (e) {
    case 'relay-open':
      return { e, lid, x, client };
    case 'relay-close':
      return { e, lid, x, client, bytesIn: num(o, 'bytesIn'), bytesOut: num(o, 'bytesOut'), durationMs: num(o, 'durationMs') };
    case 'relay-error':
      return { e, lid, x, client, error: checkError(o.error) };
    case 'relay-http':
      return {
        e,
        lid,
        x,
        client,
        method: str(o, 'method', 300),
        path: str(o, 'path', 300),
        status: int(o, 'status', 0, 999),
        durationMs: num(o, 'durationMs'),
        ...(o.bodyBytes !== undefined ? { bodyBytes: num(o, 'bodyBytes') } : {}),
      };
  }
}

export function checkAgentStats(v: unknown): AgentStats {
  const o = obj(v, 'agent stats');
  return { idle: num(o, 'idle'), dialled: num(o, 'dialled'), failed: num(o, 'failed'), opened: num(o, 'opened'), certRefused: num(o, 'certRefused') };
}

export function checkTickets(v: unknown): Array<{ id: number; exp: number }> {
  if (!Array.isArray(v) || v.length > 10_000) throw new ProtocolError('tickets: expected a list');
  return v.map((x) => {
    const o = obj(x, 'ticket');
    return { id: int(o, 'id', 1, 2 ** 31 - 1), exp: int(o, 'exp', 1, MAX_ID) };
  });
}
