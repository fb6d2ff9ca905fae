import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkAdmit, checkOpen, FrameError } from './data-wire';
import { checkAgentHello, checkAgentMessage, checkAgentProof, checkDataDial, checkDataReply, checkRelayHello, checkRelayMessage, checkRelayVerdict } from './protocol-checks';
import { parseLine } from './protocol';

// The relay's frames are checked by hand so that its worker thread loads no zod (protocol-checks.ts).
// The oracle: the zod schemas those checks replaced, kept here verbatim. Over the same generated frames
// (valid ones, ones with a field swapped for an odd value, a key dropped or added) both must accept the
// same frames with the same result, and where zod found one fault, give the same message.

const AgentName = z
  .string()
  .min(1, 'empty agent name')
  .max(80, 'agent name is longer than 80 characters')
  .refine((v) => !/\p{Cc}/u.test(v), 'agent name has control characters');
const Nonce = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'not a 32-byte base64 nonce');
const Mac = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 HMAC in hex');
const ErrorBody = z.strictObject({ code: z.enum(['AUTH_FAILED', 'VERSION', 'PROTOCOL', 'REPLACED', 'SHUTDOWN']), message: z.string().max(1000) });
const Ref = z.string().min(1).max(64);
const Protocol = z.enum(['tcp', 'udp']);
const Kind = z.enum(['tcp', 'http']);
const Port = z.number().int().min(0).max(65535);
const ExposureInfo = z.strictObject({ id: Ref, protocol: Protocol, kind: Kind, publicHost: z.string().min(1).max(255), publicPort: Port, localPort: Port.optional() });
const Id = z.number().int().min(1).max(2 ** 31 - 1);

const SCHEMAS = {
  agentHello: z.strictObject({ agent: AgentName, nonce: Nonce, assigned: z.boolean(), software: z.string().max(200).optional() }),
  relayHello: z.union([z.strictObject({ nonce: Nonce }), z.strictObject({ error: ErrorBody })]),
  agentProof: z.strictObject({ mac: Mac }),
  relayVerdict: z.union([z.strictObject({ ok: z.literal(true), session: z.string().max(64), mac: Mac }), z.strictObject({ error: ErrorBody })]),
  agentMessage: z.discriminatedUnion('t', [
    z.strictObject({ t: z.literal('expose'), ref: Ref, protocol: Protocol, kind: Kind, remotePort: Port, name: z.string().max(80).optional() }),
    z.strictObject({ t: z.literal('unexpose'), ref: Ref }),
  ]),
  relayMessage: z.discriminatedUnion('t', [
    z.strictObject({
      t: z.literal('welcome'),
      agent: AgentName,
      assigned: z.array(ExposureInfo).max(1000),
      failedAssigned: z.array(z.strictObject({ publicPort: Port, protocol: Protocol, message: z.string().max(1000) })).max(1000),
    }),
    z.strictObject({ t: z.literal('exposed'), ref: Ref, exposure: ExposureInfo }),
    z.strictObject({ t: z.literal('expose-failed'), ref: Ref, code: z.enum(['RELAY_REJECTED', 'PORT_IN_USE', 'PERMISSION_DENIED', 'ADDRESS_NOT_AVAILABLE', 'INTERNAL']), message: z.string().max(1000) }),
    z.strictObject({ t: z.literal('unexposed'), ref: Ref }),
    z.strictObject({ t: z.literal('data-dial'), ids: z.array(Id).min(1).max(64), exp: z.number().int().positive() }),
    z.strictObject({ t: z.literal('closing'), reason: z.enum(['replaced', 'shutdown']), message: z.string().max(1000) }),
  ]),
  dataDial: z.strictObject({ session: z.string().min(1).max(64), id: Id, exp: z.number().int().positive(), mac: Mac }),
  dataAdmit: z.union([z.strictObject({ ready: z.literal(true) }), z.strictObject({ error: ErrorBody })]),
  dataOpen: z.union([z.strictObject({ open: z.string().min(1).max(64), peer: z.string().max(64) }), z.strictObject({ error: ErrorBody })]),
  dataReply: z.union([z.strictObject({ ok: z.literal(true) }), z.strictObject({ error: z.strictObject({ code: z.string().min(1).max(64), message: z.string().max(1000) }) })]),
};
type Name = keyof typeof SCHEMAS;
const CHECKS: Record<Name, (v: unknown) => unknown> = {
  agentHello: checkAgentHello,
  relayHello: checkRelayHello,
  agentProof: checkAgentProof,
  relayVerdict: checkRelayVerdict,
  agentMessage: checkAgentMessage,
  relayMessage: checkRelayMessage,
  dataDial: checkDataDial,
  dataAdmit: checkAdmit,
  dataOpen: checkOpen,
  dataReply: checkDataReply,
};
/** Frames that are one of several shapes: zod's message for those depends on how far each shape got. */
const UNIONS = new Set<Name>(['relayHello', 'relayVerdict', 'dataAdmit', 'dataOpen', 'dataReply']);

/** Both sides over one frame, as the relay reads it (RawReader: `what: path: message`). */
function compare(name: Name, frame: unknown): void {
  const want = SCHEMAS[name].safeParse(frame);
  let got: { ok: true; data: unknown } | { ok: false; message: string };
  try {
    got = { ok: true, data: CHECKS[name](frame) };
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
    got = { ok: false, message: err.message };
  }
  const shown = JSON.stringify(frame)?.slice(0, 300);
  if (want.success) {
    expect(got, `${name} ${shown}`).toEqual({ ok: true, data: want.data });
  } else {
    expect(got.ok, `${name} accepted ${shown}: zod said ${want.error.issues[0]?.message}`).toBe(false);
    if (!UNIONS.has(name) && want.error.issues.length === 1 && !got.ok) {
      const issue = want.error.issues[0]!;
      expect(got.message, `${name} ${shown}`).toBe(`${issue.path.join('.') || 'message'}: ${issue.message}`);
    }
  }
}

const odd = fc.constantFrom<unknown>(null, 0, -1, 1, 1.5, 65_535, 65_536, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e300, '', 'x', 'tcp', 'udp', 'http', 'AUTH_FAILED', 'x'.repeat(64), 'x'.repeat(65), 'a'.repeat(81), 'ab\u0001', true, false, [], {}, [1]);
const hex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const mac = fc.oneof({ arbitrary: hex, weight: 5 }, hex.map((h) => h.toUpperCase()), hex.map((h) => h.slice(1)));
const nonce = fc.oneof(
  { arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64')), weight: 5 },
  fc.uint8Array({ minLength: 31, maxLength: 33 }).map((b) => Buffer.from(b).toString('base64url')),
);
const text = (max: number) => fc.oneof(fc.string({ maxLength: 4 }), fc.string({ minLength: max - 1, maxLength: max + 1 }), fc.constantFrom('\u0000x', 'é\u{1F600}'));
const int = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), fc.constantFrom(min - 1, min, max, max + 1), fc.double({ min: min - 1, max: max + 1 }));
const errorBody = fc.record({ code: fc.constantFrom('AUTH_FAILED', 'VERSION', 'PROTOCOL', 'REPLACED', 'SHUTDOWN', 'NOPE', ''), message: text(1000) });

/** A frame with each field sometimes odd, sometimes missing, sometimes with a key too many. */
function frame(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const withOdd = Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, fc.oneof({ arbitrary: a, weight: 8 }, { arbitrary: odd, weight: 1 })]));
  const complete = fc.record(withOdd);
  const some = fc.record(withOdd, { requiredKeys: [] });
  const base = fc.oneof({ arbitrary: complete, weight: 6 }, { arbitrary: some, weight: 2 });
  return fc.oneof(
    { arbitrary: base, weight: 8 },
    { arbitrary: fc.tuple(base, fc.constantFrom('extra', '__proto__', 'constructor'), odd).map(([o, k, v]) => ({ ...o, [k]: v })), weight: 1 },
    { arbitrary: odd, weight: 1 },
  );
}

const exposure = frame({ id: text(64), protocol: fc.constantFrom('tcp', 'udp', 'http'), kind: fc.constantFrom('tcp', 'http', 'udp'), publicHost: text(255), publicPort: int(0, 65535), localPort: int(0, 65535) });
const FRAMES: Record<Name, fc.Arbitrary<unknown>> = {
  agentHello: frame({ agent: text(80), nonce, assigned: fc.boolean(), software: text(200) }),
  relayHello: fc.oneof(frame({ nonce }), frame({ error: errorBody })),
  agentProof: frame({ mac }),
  relayVerdict: fc.oneof(frame({ ok: fc.constantFrom(true, false), session: text(64), mac }), frame({ error: errorBody })),
  agentMessage: fc.oneof(
    frame({ t: fc.constantFrom('expose', 'exposed'), ref: text(64), protocol: fc.constantFrom('tcp', 'udp'), kind: fc.constantFrom('tcp', 'http'), remotePort: int(0, 65535), name: text(80) }),
    frame({ t: fc.constantFrom('unexpose'), ref: text(64) }),
  ),
  relayMessage: fc.oneof(
    frame({ t: fc.constantFrom('welcome'), agent: text(80), assigned: fc.array(exposure, { maxLength: 3 }), failedAssigned: fc.array(frame({ publicPort: int(0, 65535), protocol: fc.constantFrom('tcp', 'udp'), message: text(1000) }), { maxLength: 3 }) }),
    frame({ t: fc.constantFrom('exposed'), ref: text(64), exposure }),
    frame({ t: fc.constantFrom('expose-failed'), ref: text(64), code: fc.constantFrom('RELAY_REJECTED', 'PORT_IN_USE', 'PERMISSION_DENIED', 'ADDRESS_NOT_AVAILABLE', 'INTERNAL', 'OTHER'), message: text(1000) }),
    frame({ t: fc.constantFrom('unexposed', 'closing'), ref: text(64) }),
    frame({ t: fc.constantFrom('data-dial'), ids: fc.array(int(1, 2 ** 31 - 1), { maxLength: 66 }), exp: int(1, Number.MAX_SAFE_INTEGER) }),
    frame({ t: fc.constantFrom('closing'), reason: fc.constantFrom('replaced', 'shutdown', 'other'), message: text(1000) }),
  ),
  dataDial: frame({ session: text(64), id: int(1, 2 ** 31 - 1), exp: int(1, Number.MAX_SAFE_INTEGER), mac }),
  dataAdmit: fc.oneof(frame({ ready: fc.constantFrom(true, false, 1) }), frame({ error: errorBody })),
  dataOpen: fc.oneof(frame({ open: text(64), peer: text(64) }), frame({ error: errorBody })),
  dataReply: fc.oneof(frame({ ok: fc.constantFrom(true, false) }), frame({ error: frame({ code: text(64), message: text(1000) }) })),
};

describe('the hand-written frame checks', () => {
  for (const name of Object.keys(SCHEMAS) as Name[]) {
    it(`accept exactly the ${name} frames the zod schema accepted, with the same result and message`, () => {
      // Frames go through JSON as on the wire (no undefined, no NaN).
      fc.assert(fc.property(FRAMES[name], (f) => compare(name, JSON.parse(JSON.stringify(f ?? null)) as unknown)), { numRuns: 2000 });
    });
  }

  it('agree at the limits the generators rarely reach: 1000-item lists, numbers JSON makes Infinity', () => {
    const info = { id: 'e1', protocol: 'tcp', kind: 'tcp', publicHost: 'h', publicPort: 1 };
    const failed = { publicPort: 1, protocol: 'udp', message: 'm' };
    for (const n of [1000, 1001]) {
      compare('relayMessage', { t: 'welcome', agent: 'a', assigned: Array.from({ length: n }, () => info), failedAssigned: [] });
      compare('relayMessage', { t: 'welcome', agent: 'a', assigned: [], failedAssigned: Array.from({ length: n }, () => failed) });
    }
    compare('dataDial', JSON.parse(`{"session":"s","id":1,"exp":1e400,"mac":"${'a'.repeat(64)}"}`));
    compare('relayMessage', JSON.parse('{"t":"data-dial","ids":[1e400],"exp":1}'));
    compare('agentMessage', JSON.parse('{"t":"__proto__","ref":"r"}'));
    compare('agentMessage', JSON.parse('{"t":"toString","ref":"r"}'));
  });

  it("say what is wrong in a control line as zod did (the line's message, no key path)", () => {
    expect(() => parseLine(checkAgentMessage, '{"t":"expose","ref":"r","protocol":"sctp","kind":"tcp","remotePort":1}')).toThrow(
      'invalid control message: Invalid option: expected one of "tcp"|"udp"',
    );
    expect(() => parseLine(checkAgentMessage, '{"t":"unexpose","ref":"r","x":1}')).toThrow('invalid control message: Unrecognized key: "x"');
    expect(() => parseLine(checkAgentMessage, 'nope')).toThrow('control message is not JSON');
    expect(parseLine(checkAgentMessage, '{"t":"unexpose","ref":"r"}')).toEqual({ t: 'unexpose', ref: 'r' });
  });
});
