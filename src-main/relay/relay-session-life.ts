import { said } from '../../src-shared/model/log-text';
import type { AgentSession } from './relay-session';
import type { RelayState } from './relay-state';

// An agent session's life on the relay after its handshake: the heartbeat that finds a vanished agent,
// and the end of the session (its ports closed, the agent told why when it is replaced or the relay stops).

/** HTTP/2 PING every heartbeatIntervalMs; no answer within heartbeatTimeoutMs ends the session. */
export function startHeartbeat(st: RelayState, s: AgentSession): void {
  const interval = st.opts.heartbeatIntervalMs ?? 15_000;
  const deadline = st.opts.heartbeatTimeoutMs ?? 10_000;
  let waiting = false;
  s.heartbeat = setInterval(() => {
    if (waiting || s.closed) return;
    waiting = true;
    s.heartbeatDeadline = setTimeout(() => {
      st.log('warn', ...said('relayAgentMissedHeartbeat', { agent: s.name, address: s.address, deadline }));
      void endSession(st, s, undefined, 'heartbeat timeout');
    }, deadline);
    try {
      s.h2.ping((err) => {
        clearTimeout(s.heartbeatDeadline);
        waiting = false;
        if (err) void endSession(st, s, undefined, 'heartbeat failed');
      });
    } catch {
      clearTimeout(s.heartbeatDeadline);
      void endSession(st, s, undefined, 'heartbeat failed');
    }
  }, interval);
  s.heartbeat.unref();
}

/** Closes a session and its ports; with a reason, the agent is told first (replaced / shutdown). */
export async function endSession(st: RelayState, s: AgentSession, reason: 'replaced' | 'shutdown' | undefined, message: string): Promise<void> {
  if (s.closed) return;
  s.closed = true;
  clearInterval(s.heartbeat);
  // Not left to the ping's callback (nghttp2 cancels pings when the session is destroyed, a moment later).
  clearTimeout(s.heartbeatDeadline);
  if (st.sessions.get(s.name) === s) st.sessions.delete(s.name);
  st.data.close(s.id);
  if (reason) s.send({ t: 'closing', reason, message });
  await Promise.all([...s.ports.values()].map((p) => p.close()));
  s.ports.clear();
  s.byRef.clear();
  await new Promise<void>((resolve) => {
    if (s.h2.destroyed && s.socket.closed) return resolve();
    // Wait for whichever closes first: a destroyed session waits for its socket to end, and a
    // socket nobody reads any more (the session stopped reading) may never see the agent leave.
    s.h2.once('close', () => resolve());
    s.socket.once('close', () => resolve());
    const destroy = () => {
      s.h2.destroy();
      s.socket.destroy();
    };
    if (reason) {
      // GOAWAY, then give the agent a moment to read the reason before the socket goes.
      s.h2.close();
      setTimeout(destroy, 200).unref();
    } else {
      destroy();
    }
  });
  s.socket.destroy();
  if (!reason) st.log('info', ...said('relayAgentOffline', { agent: s.name, why: message }));
  st.changed();
}
