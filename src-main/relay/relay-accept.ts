import { randomBytes } from 'node:crypto';
import { connect as h2connect } from 'node:http2';
import type { Socket } from 'node:net';
import { said } from '../../src-shared/model/log-text';
import type { AdmissionTicket } from './admission';
import { HandshakeError, type RelayAccepted, relayHandshake } from './handshake';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from './h2-windows';
import { openControl } from './relay-control';
import { AgentSession } from './relay-session';
import { endSession, startHeartbeat } from './relay-session-life';
import type { RelayState } from './relay-state';

// A connection to the agent port after admission control (admission.ts) let it in: the HMAC handshake,
// then either a data connection for an agent's pool (relay-data.ts) or an agent's session — which
// replaces the agent's previous one and speaks HTTP/2 with the relay as the client.

/** A connection that passed admission (and TLS): the handshake, then the agent's session. */
export async function acceptAgent(st: RelayState, socket: Socket, ticket: AdmissionTicket): Promise<void> {
  st.sockets.add(socket);
  socket.on('close', () => st.sockets.delete(socket));
  socket.on('error', () => undefined);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
  const address = ticket.peer;
  const id = randomBytes(8).toString('hex');
  let accepted: RelayAccepted;
  try {
    // A source whose handshakes failed waits before this one is read (token guessing gets slow).
    if (!(await ticket.throttle())) return void socket.destroy();
    accepted = await relayHandshake(socket, {
      session: id,
      timeoutMs: Math.max(1, ticket.remainingMs()),
      tokenFor: (name) => {
        const a = st.opts.policy.agents.find((x) => x.name === name);
        if (!a) return undefined;
        const t = a.token ?? st.opts.policy.token;
        return t ?? (st.opts.insecureNoAuth ? '' : undefined);
      },
    });
  } catch (err) {
    const msg = err instanceof HandshakeError ? err.message : (err as Error).message;
    ticket.failed(err instanceof HandshakeError ? err.code : 'INTERNAL', ...said('relayHandshakeFailed', { peer: address, error: msg }));
    socket.destroy();
    return;
  }
  if (accepted.kind === 'data') {
    // A data connection went through the same admission as a handshake (deadline, pending caps,
    // the delay for its source); a wrong, replayed or expired ticket is a failed attempt like a wrong token.
    const why = st.data.admit(socket, accepted.dial, accepted.binding, address);
    if (why) ticket.failed('AUTH_FAILED', ...said('relayDataRefused', { peer: address, error: why }));
    else ticket.admitted();
    return;
  }
  ticket.admitted();
  const { hello, dataKey } = accepted;
  const policy = st.opts.policy.agents.find((x) => x.name === hello.agent)!;
  const previous = st.sessions.get(hello.agent);
  if (previous) {
    st.log('warn', ...said('relayAgentAgain', { agent: hello.agent, address, previous: previous.address }));
    await endSession(st, previous, 'replaced', `another session of agent "${hello.agent}" connected from ${address} and replaced this one`);
  }
  if (socket.destroyed || !st.listener) return void socket.destroy();
  st.sessionsAccepted++;
  const h2 = h2connect('http://porthole-agent', {
    createConnection: () => socket,
    settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, enablePush: false },
    maxSessionMemory: 256,
  });
  const session = new AgentSession(id, hello.agent, policy, address, socket, h2, hello, dataKey);
  st.sessions.set(hello.agent, session);
  h2.on('error', () => undefined);
  // An agent that authenticated but never speaks HTTP/2 is dropped at the handshake deadline, not the heartbeat's.
  let spoke = false;
  h2.once('remoteSettings', () => {
    spoke = true;
    clearTimeout(firstExchange);
  });
  const firstExchange = setTimeout(() => {
    if (!spoke) {
      st.log('warn', ...said('relayAgentNoSettings', { agent: hello.agent, address }));
      void endSession(st, session, undefined, 'no HTTP/2 after the handshake');
    }
  }, st.limits.handshakeTimeoutMs);
  firstExchange.unref();
  h2.on('connect', () => h2.setLocalWindowSize(SESSION_WINDOW));
  h2.on('close', () => {
    clearTimeout(firstExchange);
    void endSession(st, session, undefined, 'connection closed');
  });
  st.log('info', ...(hello.software ? said('relayAgentOnlineSoftware', { agent: hello.agent, address, software: hello.software }) : said('relayAgentOnline', { agent: hello.agent, address })));
  await openControl(st, session);
  startHeartbeat(st, session);
  st.changed();
}
