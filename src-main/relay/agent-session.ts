import { type IncomingHttpHeaders, performServerHandshake, type ServerHttp2Stream } from 'node:http2';
import { MIN_TOKEN_LENGTH, TOKEN_HOW_TO, tokenTooShort } from '../../src-shared/model/relay-token';
import { EngineError } from '../engine/engine-error';
import type { AgentContext, Live } from './agent-context';
import { acceptControl } from './agent-control';
import { dialRelay } from './agent-dial';
import { routeStream } from './agent-streams';
import { agentHandshake } from './handshake';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from './h2-windows';
import { PATH_CONTROL } from './protocol';

// One session of the agent with the relay: dial, HMAC handshake, then HTTP/2 over the same socket with
// the relay as the client (it opens the streams, this side serves them), a heartbeat with a deadline,
// and the teardown that ends the session's connections. Retrying is the agent's (relay-agent.ts).

/** Connects session `gen`; a failure rejects, a session lost later is told through ctx.lost. */
export async function connectSession(ctx: AgentContext, gen: number): Promise<void> {
  const o = ctx.opts;
  // First: an unreadable saved token arrives here as '' and must not read as a short one.
  if (o.tokenProblem) throw new EngineError('AUTH_FAILED', `${ctx.label}: ${o.tokenProblem}`);
  // A relay refuses such tokens at start (issue 14): say so here rather than as a wrong token.
  if (tokenTooShort(o.token)) {
    throw new EngineError('AUTH_FAILED', `${ctx.label}: the token for agent "${o.agent}" has ${o.token.length} characters; relays need at least ${MIN_TOKEN_LENGTH} — ${TOKEN_HOW_TO} on the relay, and set it on both sides`);
  }
  const timeoutMs = o.connectTimeoutMs ?? 10_000;
  const { socket, fingerprint: verified } = await dialRelay(ctx, timeoutMs);
  if (gen !== ctx.generation) {
    socket.destroy();
    return;
  }
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
  const { session, dataKey } = await agentHandshake(socket, { agent: o.agent, token: o.token, assigned: o.acceptAssigned ?? false, ...(o.software ? { software: o.software } : {}) }).catch(
    (err: unknown) => {
      socket.destroy();
      throw err;
    },
  );
  if (gen !== ctx.generation) {
    socket.destroy();
    return;
  }
  ctx.session = session;
  const h2 = performServerHandshake(socket, {
    settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, maxConcurrentStreams: 4096 },
    maxSessionMemory: 256,
  });
  const live: Live = { gen, socket, session, dataKey, ...(verified ? { verified } : {}), h2, byId: new Map(), early: new Map() };
  ctx.live = live;
  h2.on('connect', () => h2.setLocalWindowSize(SESSION_WINDOW));
  h2.on('error', () => undefined);
  h2.on('stream', (stream, headers) => onStream(ctx, live, stream, headers));
  // nghttp2 sends GOAWAY ahead of DATA still queued, so the control stream's 'closing' (which says
  // whether to retry at all) may arrive just after it: give it a moment before calling the session lost.
  h2.on('goaway', () => {
    setTimeout(() => ctx.lost(gen, new EngineError('CONNECTION_RESET', `${ctx.label} is shutting down this session (GOAWAY) — reconnecting`)), 500).unref();
  });
  h2.on('close', () => ctx.lost(gen, new EngineError('CONNECTION_RESET', `lost the connection to ${ctx.label} — reconnecting`)));
  socket.on('error', () => undefined);
  startHeartbeat(ctx, live, gen);
}

function onStream(ctx: AgentContext, live: Live, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  stream.on('error', () => undefined);
  const path = headers[':path'];
  if (path === PATH_CONTROL) acceptControl(ctx, live, stream, headers);
  else routeStream(live, stream, headers);
}

function startHeartbeat(ctx: AgentContext, live: Live, gen: number): void {
  const interval = ctx.opts.heartbeatIntervalMs ?? 10_000;
  const deadline = ctx.opts.heartbeatTimeoutMs ?? 10_000;
  let waiting = false;
  const failed = () => ctx.lost(gen, new EngineError('CONNECTION_RESET', `heartbeat to ${ctx.label} failed — reconnecting`));
  live.heartbeat = setInterval(() => {
    if (waiting) return;
    waiting = true;
    live.heartbeatDeadline = setTimeout(() => {
      ctx.lost(gen, new EngineError('CONNECTION_RESET', `${ctx.label} did not answer a heartbeat within ${deadline} ms — reconnecting`));
    }, deadline);
    // ping() throws at once on a destroyed session (ERR_HTTP2_INVALID_SESSION), as the relay's side
    // guards too: that session is lost, whether or not its 'close' has been heard yet.
    try {
      live.h2.ping((err) => {
        clearTimeout(live.heartbeatDeadline);
        waiting = false;
        if (err) failed();
      });
    } catch {
      clearTimeout(live.heartbeatDeadline);
      waiting = false;
      failed();
    }
  }, interval);
  live.heartbeat.unref();
}

/** Ends the current session (if any): its exposures are unbound and their connections killed. */
export async function teardownSession(ctx: AgentContext): Promise<void> {
  const live = ctx.live;
  ctx.live = undefined;
  ctx.session = undefined;
  for (const e of ctx.own.values()) {
    const wasBound = e.info !== undefined;
    e.info = undefined;
    for (const c of e.conns.values()) c.kill();
    if (wasBound) e.emit('unbound');
  }
  for (const e of ctx.assignedByPort.values()) for (const c of e.conns.values()) c.kill();
  ctx.assignedByPort.clear();
  if (!live) return;
  clearInterval(live.heartbeat);
  // Not left to the ping's callback (nghttp2 cancels pings when the session is destroyed, below).
  clearTimeout(live.heartbeatDeadline);
  await live.data?.close();
  await new Promise<void>((resolve) => {
    if (live.h2.destroyed) return resolve();
    live.h2.once('close', () => resolve());
    live.h2.destroy();
    live.socket.destroy();
  });
}
