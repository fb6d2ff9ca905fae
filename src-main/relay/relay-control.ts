import { constants as h2c } from 'node:http2';
import { formatHostPort } from '../../src-shared/format/address';
import { said } from '../../src-shared/model/log-text';
import { EngineError } from '../engine/engine-error';
import { DATA_CAPABILITY, H_DATA } from './data-protocol';
import { type AgentMessage, checkAgentMessage, type ExposureInfo, LineSplitter, PATH_CONTROL, parseLine } from './protocol';
import { formatRanges, inRanges } from './relay-policy';
import { openPort } from './relay-public';
import type { AgentSession, PublicPort } from './relay-session';
import { endSession } from './relay-session-life';
import type { RelayState } from './relay-state';

// An agent session's control stream on the relay: opened by the relay (the HTTP/2 client), it offers
// data connections, opens the ports the relay's config assigns to the agent and says so ('welcome'),
// then answers the agent's requests to expose and unexpose ports within its allow_ports.

/** Opens the control stream of session `s` and the ports its policy assigns; ends with the 'welcome'. */
export async function openControl(st: RelayState, s: AgentSession): Promise<void> {
  const offer = st.offersData;
  const control = s.h2.request({ ':method': 'POST', ':path': PATH_CONTROL, ...(offer ? { [H_DATA]: DATA_CAPABILITY } : {}) }, { endStream: false });
  s.control = control;
  control.on('error', () => undefined);
  // An agent that predates data connections ignores the offer and answers without the header.
  control.once('response', (headers) => {
    if (!offer || s.closed || headers[H_DATA] !== DATA_CAPABILITY) return;
    s.data = st.data.open(s.id, s.dataKey, (ids, exp) => s.send({ t: 'data-dial', ids, exp }));
    st.log('info', ...said('relayAgentDataConnections', { agent: s.name }));
  });
  const lines = new LineSplitter();
  control.on('data', (chunk: Buffer) => {
    try {
      for (const line of lines.push(chunk)) {
        const msg = parseLine(checkAgentMessage, line);
        inTurn(s, msg.ref, () => onAgentMessage(st, s, msg));
      }
    } catch (err) {
      st.log('warn', ...said('relayAgentBrokeProtocol', { agent: s.name, address: s.address, error: (err as Error).message }));
      s.h2.goaway(h2c.NGHTTP2_PROTOCOL_ERROR);
      void endSession(st, s, undefined, 'protocol error');
    }
  });
  control.on('close', () => void endSession(st, s, undefined, 'control stream closed'));
  const assigned: ExposureInfo[] = [];
  const failedAssigned: Array<{ publicPort: number; protocol: 'tcp' | 'udp'; message: string }> = [];
  if (s.hello.assigned) {
    for (const a of s.policy.ports) {
      const protocol = a.type === 'udp' ? 'udp' : 'tcp';
      try {
        const port = await openPort(st, s, protocol, a.type === 'http' ? 'http' : 'tcp', 'config', a.bind.host, a.bind.port, a.remotePort);
        assigned.push(port.info());
      } catch (err) {
        failedAssigned.push({ publicPort: a.bind.port, protocol, message: (err as Error).message });
        st.log('error', ...said('relayAgentCannotOpen', { agent: s.name, protocol, address: formatHostPort(a.bind.host, a.bind.port), error: (err as Error).message }));
      }
    }
  }
  s.send({ t: 'welcome', agent: s.name, assigned, failedAssigned });
}

/**
 * Runs `work` once the messages before it about exposure `ref` are done. The relay reads a line while
 * an earlier one still waits for its port to open; an `expose` sent twice (older agents could send one
 * before the welcome and again on it) or an `unexpose` right after an `expose` must see that port open,
 * or they open a second one or miss the one to close. Messages about different exposures go side by side.
 */
function inTurn(s: AgentSession, ref: string, work: () => Promise<void>): void {
  const before = s.turns.get(ref);
  // A turn that threw (a 'changed' listener, say) does not hold up the ones after it.
  const turn = (before ? before.then(work) : work()).catch(() => undefined);
  s.turns.set(ref, turn);
  void turn.then(() => {
    if (s.turns.get(ref) === turn) s.turns.delete(ref);
  });
}

async function onAgentMessage(st: RelayState, s: AgentSession, msg: AgentMessage): Promise<void> {
  if (s.closed) return;
  if (msg.t === 'unexpose') {
    const port = s.byRef.get(msg.ref);
    if (port) {
      s.byRef.delete(msg.ref);
      s.ports.delete(port.id);
      await port.close();
      st.log('info', ...said('relayAgentClosedPort', { agent: s.name, protocol: port.protocol, address: port.address }));
      st.changed();
    }
    s.send({ t: 'unexposed', ref: msg.ref });
    return;
  }
  // A fixed port is claimed while its request is in hand, before anything waits: a request for any
  // port read with it leaves that port to it (exposeIn) rather than making it fail with PORT_IN_USE.
  const fixed = msg.remotePort;
  if (fixed !== 0) s.claimed.set(fixed, (s.claimed.get(fixed) ?? 0) + 1);
  try {
    await onExpose(st, s, msg);
  } finally {
    const n = (s.claimed.get(fixed) ?? 0) - 1;
    if (n > 0) s.claimed.set(fixed, n);
    else s.claimed.delete(fixed);
  }
}

async function onExpose(st: RelayState, s: AgentSession, msg: Extract<AgentMessage, { t: 'expose' }>): Promise<void> {
  const old = s.byRef.get(msg.ref);
  // The same request again: the port it has already is the answer (reopening it would drop its connections).
  if (old && asksFor(msg, old)) return void s.send({ t: 'exposed', ref: msg.ref, exposure: old.info() });
  if (old) {
    s.byRef.delete(msg.ref);
    s.ports.delete(old.id);
    await old.close();
  }
  const reject: Refuse = (code, message) => {
    st.log('warn', ...said('relayAgentRefused', { agent: s.name, error: message }));
    s.send({ t: 'expose-failed', ref: msg.ref, code, message });
  };
  const ranges = s.policy.allowPorts;
  if (ranges.length === 0) return reject('RELAY_REJECTED', `the relay does not let agent "${s.name}" ask for ports (its config gives it no allow_ports)`);
  // Requests whose ports are still being opened count too: lines read in one go run side by side
  // (inTurn), and counting only open ports would let them all past the cap.
  const held = s.byRef.size + s.exposing;
  if (held >= (st.opts.maxExposuresPerAgent ?? 256)) return reject('RELAY_REJECTED', `agent "${s.name}" already has ${held} ports, the most this relay allows`);
  if (msg.remotePort !== 0 && !inRanges(msg.remotePort, ranges)) {
    return reject('RELAY_REJECTED', `port ${msg.remotePort} is not one this relay allows agent "${s.name}" (allowed: ${formatRanges(ranges)})`);
  }
  s.exposing++;
  try {
    await exposeIn(st, s, msg, ranges, reject);
  } finally {
    s.exposing--;
  }
}

type Refuse = (code: 'RELAY_REJECTED' | 'PORT_IN_USE' | 'PERMISSION_DENIED' | 'ADDRESS_NOT_AVAILABLE' | 'INTERNAL', message: string) => void;

/** Opens the port an allowed `expose` asks for (the first free one of the ranges for any port) and answers it. */
async function exposeIn(st: RelayState, s: AgentSession, msg: Extract<AgentMessage, { t: 'expose' }>, ranges: Array<{ from: number; to: number }>, reject: Refuse): Promise<void> {
  const host = st.opts.policy.publicHost ?? '127.0.0.1';
  // The lines read with this one are all taken in before this resumes, so the fixed ports they ask for are claimed by then.
  if (msg.remotePort === 0) await Promise.resolve();
  const candidates = msg.remotePort === 0 ? freeCandidates(st, s, ranges) : [msg.remotePort];
  let lastErr: Error | undefined;
  for (const candidate of candidates) {
    try {
      const port = await openPort(st, s, msg.protocol, msg.kind, 'agent', host, candidate, undefined, msg.ref, msg.name);
      if (s.closed) return void port.close();
      s.byRef.set(msg.ref, port);
      s.send({ t: 'exposed', ref: msg.ref, exposure: port.info() });
      st.log('info', ...(msg.name ? said('relayAgentExposedNamed', { agent: s.name, protocol: msg.protocol, address: port.address, name: msg.name }) : said('relayAgentExposed', { agent: s.name, protocol: msg.protocol, address: port.address })));
      st.changed();
      return;
    } catch (err) {
      lastErr = err as Error;
      if (!(err instanceof EngineError && err.code === 'PORT_IN_USE')) break;
    }
  }
  const code = lastErr instanceof EngineError && (['PORT_IN_USE', 'PERMISSION_DENIED', 'ADDRESS_NOT_AVAILABLE'] as const).includes(lastErr.code as 'PORT_IN_USE') ? (lastErr.code as 'PORT_IN_USE') : 'INTERNAL';
  reject(code, msg.remotePort === 0 ? `no free port left in ${formatRanges(ranges)} on the relay` : `cannot open port ${msg.remotePort} on the relay: ${lastErr?.message ?? 'unknown error'}`);
}

/** Whether `port` is what `msg` asks for: the same protocol, kind and name, and its port unless it asks for any. */
function asksFor(msg: Extract<AgentMessage, { t: 'expose' }>, port: PublicPort): boolean {
  return msg.protocol === port.protocol && msg.kind === port.kind && msg.name === port.name && (msg.remotePort === 0 || msg.remotePort === port.port);
}

/** Up to 64 ports of the ranges neither used by any exposure now nor claimed by a fixed request of `mine`, from a random offset. */
function freeCandidates(st: RelayState, mine: AgentSession, ranges: Array<{ from: number; to: number }>): number[] {
  const used = new Set<number>(mine.claimed.keys());
  for (const s of st.sessions.values()) for (const p of s.ports.values()) used.add(p.port);
  const all: number[] = [];
  for (const r of ranges) for (let p = r.from; p <= r.to && all.length < 65_536; p++) if (!used.has(p)) all.push(p);
  const start = all.length > 0 ? Math.floor(Math.random() * all.length) : 0;
  return [...all.slice(start), ...all.slice(0, start)].slice(0, 64);
}
