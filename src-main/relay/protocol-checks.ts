import type { WireErrorBody } from './data-wire';
import { array, bool, child, int, isTrue, type Obj, oneOf, optStr, str, type StrOpts, strictObject, tagged, union } from './wire-check';

// The relay protocol's frames (protocol.ts, data-protocol.ts describe them) and their checks, written
// by hand so that the relay's worker thread loads no zod (wire-check.ts says why). These are the only
// definition: both the relay and the agent check what they receive with them. protocol-checks.test.ts
// holds the zod schemas they replaced and checks over generated frames that both accept the same ones.

const AGENT_NAME: StrOpts = {
  min: 1,
  tooShort: 'empty agent name',
  max: 80,
  tooLong: 'agent name is longer than 80 characters',
  refine: (v) => !/\p{Cc}/u.test(v),
  refineMessage: 'agent name has control characters',
};
const NONCE: StrOpts = { pattern: /^[A-Za-z0-9+/]{43}=$/, patternMessage: 'not a 32-byte base64 nonce' };
const MAC: StrOpts = { pattern: /^[0-9a-f]{64}$/, patternMessage: 'not a SHA-256 HMAC in hex' };
const REF: StrOpts = { min: 1, max: 64 };
const HOST: StrOpts = { min: 1, max: 255 };
const TEXT: StrOpts = { max: 1000 };
const ERROR_CODES = ['AUTH_FAILED', 'VERSION', 'PROTOCOL', 'REPLACED', 'SHUTDOWN'] as const;
const PROTOCOLS = ['tcp', 'udp'] as const;
const KINDS = ['tcp', 'http'] as const;
const EXPOSE_FAILURES = ['RELAY_REJECTED', 'PORT_IN_USE', 'PERMISSION_DENIED', 'ADDRESS_NOT_AVAILABLE', 'INTERNAL'] as const;
const MAX_ID = 2 ** 31 - 1;

export type HandshakeErrorBody = WireErrorBody;
export type AgentHello = { agent: string; nonce: string; assigned: boolean; software?: string };
export type RelayHello = { nonce: string } | { error: HandshakeErrorBody };
export type AgentProof = { mac: string };
export type RelayVerdict = { ok: true; session: string; mac: string } | { error: HandshakeErrorBody };
export type ExposureInfo = { id: string; protocol: 'tcp' | 'udp'; kind: 'tcp' | 'http'; publicHost: string; publicPort: number; localPort?: number };
export type AgentMessage =
  | { t: 'expose'; ref: string; protocol: 'tcp' | 'udp'; kind: 'tcp' | 'http'; remotePort: number; name?: string }
  | { t: 'unexpose'; ref: string };
export type RelayMessage =
  | { t: 'welcome'; agent: string; assigned: ExposureInfo[]; failedAssigned: Array<{ publicPort: number; protocol: 'tcp' | 'udp'; message: string }> }
  | { t: 'exposed'; ref: string; exposure: ExposureInfo }
  | { t: 'expose-failed'; ref: string; code: (typeof EXPOSE_FAILURES)[number]; message: string }
  | { t: 'unexposed'; ref: string }
  | { t: 'data-dial'; ids: number[]; exp: number }
  | { t: 'closing'; reason: 'replaced' | 'shutdown'; message: string };
export type DataDial = { session: string; id: number; exp: number; mac: string };
export type DataReply = { ok: true } | { error: { code: string; message: string } };

/** Names the relay config and the agent share; what a port-proxy `remote_name` may be. */
export function checkAgentName(o: Obj, key: string, path = ''): string {
  return str(o, key, path, AGENT_NAME);
}

const port = (o: Obj, key: string, path: string) => int(o[key], child(o, key, path).p, 0, 65535);
const optPort = (o: Obj, key: string, path: string) => (o[key] === undefined ? undefined : port(o, key, path));
/** Leaves absent optional keys absent, as zod does. */
const withOptional = <T extends Obj>(base: T, extra: Obj): T => {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (base as Obj)[k] = v;
  return base;
};

function errorBody(v: unknown, path: string): HandshakeErrorBody {
  let out: HandshakeErrorBody | undefined;
  strictObject(v, path, (e) => (out = { code: oneOf(e, 'code', path, ERROR_CODES), message: str(e, 'message', path, TEXT) }), ['code', 'message']);
  return out!;
}

/** `{error}`: a refusal, in any frame that may carry one. */
function errorFrame(v: unknown): { error: HandshakeErrorBody } {
  let out: { error: HandshakeErrorBody } | undefined;
  strictObject(v, '', (o) => (out = { error: errorBody(o.error, 'error') }), ['error']);
  return out!;
}

/** Builds the value inside strictObject's callback (fields first, then unknown keys, as zod reports them). */
function strict<T>(v: unknown, path: string, known: readonly string[], build: (o: Obj) => T): T {
  let out: T | undefined;
  strictObject(v, path, (o) => (out = build(o)), known);
  return out!;
}

export function checkAgentHello(v: unknown): AgentHello {
  return strict(v, '', ['agent', 'nonce', 'assigned', 'software'], (o) =>
    withOptional({ agent: checkAgentName(o, 'agent'), nonce: str(o, 'nonce', '', NONCE), assigned: bool(o, 'assigned', '') }, { software: optStr(o, 'software', '', { max: 200 }) }),
  );
}

export function checkRelayHello(v: unknown): RelayHello {
  return union<RelayHello>(v, [
    { key: 'nonce', check: (x) => strict(x, '', ['nonce'], (o) => ({ nonce: str(o, 'nonce', '', NONCE) })) },
    { key: 'error', check: errorFrame },
  ]);
}

export function checkAgentProof(v: unknown): AgentProof {
  return strict(v, '', ['mac'], (o) => ({ mac: str(o, 'mac', '', MAC) }));
}

export function checkRelayVerdict(v: unknown): RelayVerdict {
  return union<RelayVerdict>(v, [
    { key: 'ok', check: (x) => strict(x, '', ['ok', 'session', 'mac'], (o) => ({ ok: isTrue(o, 'ok', ''), session: str(o, 'session', '', { max: 64 }), mac: str(o, 'mac', '', MAC) })) },
    { key: 'error', check: errorFrame },
  ]);
}

export function checkAgentMessage(v: unknown): AgentMessage {
  return tagged<AgentMessage>(v, {
    expose: (x) =>
      strict(x, '', ['t', 'ref', 'protocol', 'kind', 'remotePort', 'name'], (o) =>
        withOptional(
          { t: 'expose' as const, ref: str(o, 'ref', '', REF), protocol: oneOf(o, 'protocol', '', PROTOCOLS), kind: oneOf(o, 'kind', '', KINDS), remotePort: port(o, 'remotePort', '') },
          { name: optStr(o, 'name', '', { max: 80 }) },
        ),
      ),
    unexpose: (x) => strict(x, '', ['t', 'ref'], (o) => ({ t: 'unexpose' as const, ref: str(o, 'ref', '', REF) })),
  });
}

function exposureInfo(v: unknown, path: string): ExposureInfo {
  return strict(v, path, ['id', 'protocol', 'kind', 'publicHost', 'publicPort', 'localPort'], (o) =>
    withOptional(
      { id: str(o, 'id', path, REF), protocol: oneOf(o, 'protocol', path, PROTOCOLS), kind: oneOf(o, 'kind', path, KINDS), publicHost: str(o, 'publicHost', path, HOST), publicPort: port(o, 'publicPort', path) },
      { localPort: optPort(o, 'localPort', path) },
    ),
  );
}

export function checkRelayMessage(v: unknown): RelayMessage {
  return tagged<RelayMessage>(v, {
    welcome: (x) =>
      strict(x, '', ['t', 'agent', 'assigned', 'failedAssigned'], (o) => ({
        t: 'welcome' as const,
        agent: checkAgentName(o, 'agent'),
        assigned: array(o, 'assigned', '', 0, 1000, exposureInfo),
        failedAssigned: array(o, 'failedAssigned', '', 0, 1000, (f, p) =>
          strict(f, p, ['publicPort', 'protocol', 'message'], (e) => ({ publicPort: port(e, 'publicPort', p), protocol: oneOf(e, 'protocol', p, PROTOCOLS), message: str(e, 'message', p, TEXT) })),
        ),
      })),
    exposed: (x) => strict(x, '', ['t', 'ref', 'exposure'], (o) => ({ t: 'exposed' as const, ref: str(o, 'ref', '', REF), exposure: exposureInfo(o.exposure, 'exposure') })),
    'expose-failed': (x) =>
      strict(x, '', ['t', 'ref', 'code', 'message'], (o) => ({ t: 'expose-failed' as const, ref: str(o, 'ref', '', REF), code: oneOf(o, 'code', '', EXPOSE_FAILURES), message: str(o, 'message', '', TEXT) })),
    unexposed: (x) => strict(x, '', ['t', 'ref'], (o) => ({ t: 'unexposed' as const, ref: str(o, 'ref', '', REF) })),
    'data-dial': (x) =>
      strict(x, '', ['t', 'ids', 'exp'], (o) => ({ t: 'data-dial' as const, ids: array(o, 'ids', '', 1, 64, (id, p) => int(id, p, 1, MAX_ID)), exp: int(o.exp, 'exp', 0, undefined, true) })),
    closing: (x) =>
      strict(x, '', ['t', 'reason', 'message'], (o) => ({ t: 'closing' as const, reason: oneOf(o, 'reason', '', ['replaced', 'shutdown'] as const), message: str(o, 'message', '', TEXT) })),
  });
}

/** A data connection's ticket (data-protocol.ts). */
export function checkDataDial(v: unknown): DataDial {
  return strict(v, '', ['session', 'id', 'exp', 'mac'], (o) => ({
    session: str(o, 'session', '', { min: 1, max: 64 }),
    id: int(o.id, 'id', 1, MAX_ID),
    exp: int(o.exp, 'exp', 0, undefined, true),
    mac: str(o, 'mac', '', MAC),
  }));
}

/** Agent → relay on a data connection once the target answered. */
export function checkDataReply(v: unknown): DataReply {
  return union<DataReply>(v, [
    { key: 'ok', check: (x) => strict(x, '', ['ok'], (o) => ({ ok: isTrue(o, 'ok', '') })) },
    {
      key: 'error',
      check: (x) =>
        strict(x, '', ['error'], (o) => ({
          error: strict(o.error, 'error', ['code', 'message'], (e) => ({ code: str(e, 'code', 'error', { min: 1, max: 64 }), message: str(e, 'message', 'error', TEXT) })),
        })),
    },
  ]);
}
