import type { Socket } from 'node:net';
import { channelBinding, HandshakeError, RawReader } from './raw-reader';
import { checkDataDial, DATA_MAGIC, type DataDial } from './data-protocol';
import {
  type AgentHello,
  checkAgentHello,
  checkAgentProof,
  checkRelayHello,
  checkRelayVerdict,
  encodeFrame,
  encodePreamble,
  HANDSHAKE_TIMEOUT_MS,
  type HandshakeErrorBody,
  MAGIC,
  newNonce,
  PROTOCOL_VERSION,
  proof,
  proofMatches,
  sessionDataKey,
} from './protocol';

export { channelBinding, HandshakeError, type HandshakeFailure, RawReader } from './raw-reader';

function flushed(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (err) => (err ? reject(new HandshakeError('CLOSED', `connection error during the handshake: ${err.message}`)) : resolve()));
  });
}

async function readPreamble(r: RawReader, who: string): Promise<number> {
  return (await readAnyPreamble(r, who, false)).version;
}

/** MAGIC (or, where a data connection may start, DATA_MAGIC) and the version byte. */
async function readAnyPreamble(r: RawReader, who: string, dataToo: boolean): Promise<{ data: boolean; version: number }> {
  const pre = await r.read(MAGIC.length + 1);
  const magic = pre.subarray(0, MAGIC.length);
  const data = dataToo && magic.equals(DATA_MAGIC);
  if (!data && !magic.equals(MAGIC)) throw new HandshakeError('PROTOCOL', `${who} did not start with the Porthole relay protocol's magic bytes — is this a Porthole ${who}?`);
  return { data, version: pre[MAGIC.length]! };
}

export interface AgentHandshakeOptions {
  agent: string;
  token: string;
  assigned: boolean;
  software?: string;
  timeoutMs?: number;
}

/**
 * The agent's side. Resolves with the relay's session id and the session's data-connection key;
 * rejects with a HandshakeError.
 */
export async function agentHandshake(socket: Socket, o: AgentHandshakeOptions): Promise<{ session: string; dataKey: Buffer }> {
  const r = new RawReader(socket, o.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  try {
    const agentNonce = newNonce();
    const hello: AgentHello = { agent: o.agent, nonce: agentNonce, assigned: o.assigned, ...(o.software ? { software: o.software } : {}) };
    socket.write(Buffer.concat([encodePreamble(), encodeFrame(hello)]));
    const version = await readPreamble(r, 'relay');
    const relayHello = await r.readChecked(checkRelayHello, 'relay hello');
    if ('error' in relayHello) throw new HandshakeError(relayHello.error.code, relayHello.error.message);
    if (version !== PROTOCOL_VERSION) throw new HandshakeError('VERSION', `the relay speaks protocol version ${version}, this agent ${PROTOCOL_VERSION}`);
    const binding = channelBinding(socket);
    // Every handshake write must have completed before HTTP/2 takes the socket over (node's http2
    // asserts on a write completion it did not start).
    const proofSent = flushed(socket, encodeFrame({ mac: proof(o.token, 'agent', o.agent, agentNonce, relayHello.nonce, binding) }));
    const verdict = await r.readChecked(checkRelayVerdict, 'relay verdict');
    if ('error' in verdict) throw new HandshakeError(verdict.error.code, verdict.error.message);
    if (!proofMatches(proof(o.token, 'relay', o.agent, agentNonce, relayHello.nonce, binding), verdict.mac)) {
      throw new HandshakeError('AUTH_FAILED', 'the relay could not prove it knows this agent\'s token — it is not the relay you configured, or its token differs');
    }
    await proofSent;
    r.detach();
    return { session: verdict.session, dataKey: sessionDataKey(o.token, o.agent, agentNonce, relayHello.nonce, binding) };
  } catch (err) {
    r.detach();
    throw err;
  }
}

export interface RelayHandshakeOptions {
  /** The token of an agent name, or undefined for a name the relay does not know. */
  tokenFor(agent: string): string | undefined;
  session: string;
  timeoutMs?: number;
}

/** What came in on the agent port: an authenticated agent, or a data connection still to be checked against its ticket. */
export type RelayAccepted = { kind: 'agent'; hello: AgentHello; dataKey: Buffer } | { kind: 'data'; dial: DataDial; binding: Buffer };

/**
 * The relay's side. Resolves with the authenticated hello, or with a data connection's ticket (which
 * the caller checks: data-protocol.ts); on failure the agent has been told why.
 */
export async function relayHandshake(socket: Socket, o: RelayHandshakeOptions): Promise<RelayAccepted> {
  const r = new RawReader(socket, o.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  const refuse = (code: HandshakeErrorBody['code'], message: string) => {
    if (socket.writable) socket.end(encodeFrame({ error: { code, message } }));
    return new HandshakeError(code, message);
  };
  try {
    const { data, version } = await readAnyPreamble(r, 'agent', true);
    if (data) {
      if (version !== PROTOCOL_VERSION) throw refuse('VERSION', `this relay speaks data-connection version ${PROTOCOL_VERSION}, the agent ${version}`);
      const dial = await r.readChecked(checkDataDial, 'data connection ticket');
      r.detach();
      return { kind: 'data', dial, binding: channelBinding(socket) };
    }
    socket.write(encodePreamble());
    if (version !== PROTOCOL_VERSION) {
      throw refuse('VERSION', `this relay speaks protocol version ${PROTOCOL_VERSION}, the agent ${version} — update the older side`);
    }
    const hello = await r.readChecked(checkAgentHello, 'agent hello');
    const relayNonce = newNonce();
    socket.write(encodeFrame({ nonce: relayNonce }));
    const binding = channelBinding(socket);
    const agentProof = await r.readChecked(checkAgentProof, 'agent proof');
    const token = o.tokenFor(hello.agent);
    // Same answer for an unknown name and a wrong token: the relay does not reveal which names exist.
    if (token === undefined || !proofMatches(proof(token, 'agent', hello.agent, hello.nonce, relayNonce, binding), agentProof.mac)) {
      throw refuse(
        'AUTH_FAILED',
        `the relay refused agent "${hello.agent}": unknown agent name or wrong token — check name and token in the agent's config against the relay's proxy list`,
      );
    }
    await flushed(socket, encodeFrame({ ok: true, session: o.session, mac: proof(token, 'relay', hello.agent, hello.nonce, relayNonce, binding) }));
    r.detach();
    return { kind: 'agent', hello, dataKey: sessionDataKey(token, hello.agent, hello.nonce, relayNonce, binding) };
  } catch (err) {
    r.detach();
    throw err;
  }
}
