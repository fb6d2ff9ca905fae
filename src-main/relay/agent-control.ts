import { constants as h2c, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { formatHostPort } from '../../src-shared/format/address';
import { said } from '../../src-shared/model/log-text';
import { EngineError } from '../engine/engine-error';
import { type AgentContext, exposeMessage, type Live } from './agent-context';
import { openDataRoute } from './agent-data-open';
import { releaseEarly } from './agent-streams';
import { DATA_CAPABILITY, H_DATA } from './data-protocol';
import { Exposure, type ExposureSpec } from './exposure';
import { checkRelayMessage, LineSplitter, parseLine, type RelayMessage } from './protocol';

// A session's control stream on the agent: the relay opens it (offering data connections), then says
// which ports it opened ('welcome' with the assigned ones, 'exposed', 'expose-failed'), hands out data
// connection tickets and says when it closes the session and why.

/** The relay opened session `live`'s control stream. */
export function acceptControl(ctx: AgentContext, live: Live, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  if (live.control) return void stream.close(h2c.NGHTTP2_PROTOCOL_ERROR);
  live.control = stream;
  const accept = headers[H_DATA] === DATA_CAPABILITY && ctx.opts.dataConnections !== false;
  stream.respond({ ':status': 200, ...(accept ? { [H_DATA]: DATA_CAPABILITY } : {}) });
  if (accept) live.data = openDataRoute(ctx, live);
  const lines = new LineSplitter();
  stream.on('data', (chunk: Buffer) => {
    try {
      for (const line of lines.push(chunk)) onMessage(ctx, live, parseLine(checkRelayMessage, line));
    } catch (err) {
      protocolError(ctx, live, (err as Error).message);
    }
  });
  stream.on('close', () => ctx.lost(live.gen, new EngineError('CONNECTION_RESET', `${ctx.label} closed the control stream — reconnecting`)));
}

function onMessage(ctx: AgentContext, live: Live, msg: RelayMessage): void {
  switch (msg.t) {
    case 'welcome': {
      ctx.retry.reset();
      ctx.assignedByPort.clear();
      for (const info of msg.assigned) {
        if (info.localPort === undefined || info.localPort === 0) continue;
        const spec: ExposureSpec = {
          ref: `assigned:${info.protocol}:${info.publicPort}`,
          name: `${info.kind === 'http' ? 'http' : info.protocol} ${formatHostPort(info.publicHost, info.publicPort)} → 127.0.0.1:${info.localPort}`,
          protocol: info.protocol,
          kind: info.kind,
          remotePort: info.publicPort,
          target: { host: '127.0.0.1', port: info.localPort },
        };
        const tap = ctx.opts.assignedTap?.(spec);
        const e = new Exposure(tap ? { ...spec, tap } : spec);
        e.info = info;
        live.byId.set(info.id, e);
        releaseEarly(live, info.id, e);
        ctx.assignedByPort.set(e.spec.ref, e);
        ctx.opts.log?.('info', ...said('agentServes', { relay: ctx.address, name: String(e.spec.name), agent: ctx.opts.agent }));
      }
      for (const f of msg.failedAssigned) ctx.opts.log?.('error', ...said('agentAssignedFailed', { relay: ctx.address, protocol: f.protocol, port: f.publicPort, error: f.message }));
      // Asked for before 'ready' is told: an exposure added by a listener of it goes out with expose(), once.
      live.welcomed = true;
      for (const e of ctx.own.values()) ctx.send(exposeMessage(e.spec));
      ctx.ready();
      return;
    }
    case 'exposed': {
      const e = ctx.own.get(msg.ref);
      if (!e) return;
      if (msg.exposure.protocol !== e.spec.protocol) return protocolError(ctx, live, `relay bound ${msg.exposure.protocol} for a ${e.spec.protocol} exposure`);
      e.info = msg.exposure;
      e.lastError = undefined;
      live.byId.set(msg.exposure.id, e);
      releaseEarly(live, msg.exposure.id, e);
      e.emit('bound', msg.exposure);
      return;
    }
    case 'expose-failed': {
      const e = ctx.own.get(msg.ref);
      if (!e) return;
      e.info = undefined;
      e.lastError = new EngineError(msg.code, `${ctx.label}: ${msg.message}`);
      e.emit('failed', e.lastError);
      return;
    }
    case 'unexposed':
      return;
    case 'data-dial':
      live.data?.grant(msg.ids, msg.exp);
      return;
    case 'closing': {
      const err =
        msg.reason === 'replaced'
          ? new EngineError('RELAY_REJECTED', `${ctx.label}: ${msg.message} — give each agent its own name; this one stopped retrying`)
          : new EngineError('CONNECTION_RESET', `${ctx.label} is shutting down (${msg.message}) — reconnecting`);
      ctx.lost(live.gen, err);
      return;
    }
  }
}

function protocolError(ctx: AgentContext, live: Live, message: string): void {
  ctx.opts.log?.('error', ...said('agentProtocolError', { relay: ctx.address, error: message }));
  live.h2.goaway(h2c.NGHTTP2_PROTOCOL_ERROR);
  ctx.lost(live.gen, new EngineError('PROTOCOL_ERROR', `${ctx.label} sent something invalid (${message}) — reconnecting`));
}
