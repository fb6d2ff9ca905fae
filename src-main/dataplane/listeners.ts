import { sourceFilter } from '../../src-shared/format/cidr';
import type { ByteMeter } from '../engine/byte-meter';
import { EngineError } from '../engine/engine-error';
import { Socks5Server, directDialer } from '../engine/socks5-server';
import { TcpForwarder } from '../engine/tcp-forward';
import { UdpForwarder } from '../engine/udp-forward';
import type { ListenerSpec, PlaneEvent, StartResult, WireConnection, WireError } from './protocol';

// The data plane's side of the listeners: builds the engine's forwarders from a ListenerSpec, turns
// their events into PlaneEvents and answers for their connections. Runs in the worker thread.

interface Running {
  stop(): Promise<void>;
  meter: ByteMeter;
  rows(): WireConnection[];
  close(id: number): boolean;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: `Unexpected error in the data plane: ${(err as Error)?.message ?? String(err)}` };
}

function filter(allow: string[], deny: string[]): ((address: string) => boolean) | undefined {
  try {
    return sourceFilter(allow, deny);
  } catch (err) {
    throw new EngineError('INTERNAL', `Invalid source address list: ${(err as Error).message}`, err);
  }
}

/** Every listener of this data plane by its control-chosen id. */
export class ListenerTable {
  private readonly live = new Map<number, Running>();
  private readonly starting = new Set<number>();

  constructor(private readonly emit: (e: PlaneEvent) => void) {}

  get size(): number {
    return this.live.size;
  }

  async start(lid: number, spec: ListenerSpec): Promise<StartResult> {
    if (this.live.has(lid) || this.starting.has(lid)) throw new EngineError('INTERNAL', `Data plane listener ${lid} exists already`);
    this.starting.add(lid);
    try {
      const { run, start } = this.build(lid, spec);
      const bound = await start();
      this.live.set(lid, run);
      return { host: bound.host, port: bound.port, meter: run.meter.share() };
    } finally {
      this.starting.delete(lid);
    }
  }

  async stop(lid: number): Promise<void> {
    const run = this.live.get(lid);
    if (!run) return;
    this.live.delete(lid);
    await run.stop();
  }

  rows(lid: number): WireConnection[] {
    return this.live.get(lid)?.rows() ?? [];
  }

  close(lid: number, id: number): boolean {
    return this.live.get(lid)?.close(id) ?? false;
  }

  async stopAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((r) => r.stop()));
  }

  private build(lid: number, spec: ListenerSpec): { run: Running; start: () => Promise<{ host: string; port: number }> } {
    const emit = this.emit;
    const listenerError = (e: EngineError) => emit({ e: 'listener-error', lid, error: toWireError(e) });
    switch (spec.kind) {
      case 'tcp': {
        const allow = filter(spec.allow, spec.deny);
        const fwd = new TcpForwarder({
          listen: spec.listen,
          target: spec.target,
          connectTimeoutMs: spec.connectTimeoutMs,
          idleTimeoutMs: spec.idleTimeoutMs,
          keepAlive: spec.keepAlive,
          maxConnections: spec.maxConnections,
          ...(allow ? { allow } : {}),
          ...(spec.proxyProtocol !== 'off' ? { proxyProtocol: spec.proxyProtocol } : {}),
        });
        fwd.on('connection-open', (c) => emit({ e: 'open', lid, id: c.id, client: c.client }));
        fwd.on('connection-close', (c) =>
          emit({ e: 'close', lid, id: c.id, client: c.client, bytesIn: c.bytesIn, bytesOut: c.bytesOut, durationMs: c.durationMs }),
        );
        fwd.on('connection-error', (c) => emit({ e: 'error', lid, id: c.id, client: c.client, error: toWireError(c.error) }));
        fwd.on('connection-refused', (c) => emit({ e: 'refused', lid, client: c.client, reason: c.reason }));
        fwd.on('listener-error', listenerError);
        const run: Running = {
          stop: () => fwd.stop(),
          meter: fwd.meter,
          rows: () =>
            fwd.connections().map((c) => ({ id: c.id, client: c.client, openedAt: c.openedAt, bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: c.state })),
          close: (id) => fwd.closeConnection(id),
        };
        return { run, start: () => fwd.start() };
      }
      case 'udp': {
        const allow = filter(spec.allow, spec.deny);
        const fwd = new UdpForwarder({
          listen: spec.listen,
          target: spec.target,
          idleTimeoutMs: spec.idleTimeoutMs,
          maxSessions: spec.maxSessions,
          ...(allow ? { allow } : {}),
        });
        fwd.on('session-open', (c) => emit({ e: 'open', lid, id: c.id, client: c.client }));
        fwd.on('session-close', (c) =>
          emit({
            e: 'close',
            lid,
            id: c.id,
            client: c.client,
            bytesIn: c.bytesIn,
            bytesOut: c.bytesOut,
            durationMs: c.durationMs,
            packetsIn: c.packetsIn,
            packetsOut: c.packetsOut,
            reason: c.reason,
          }),
        );
        fwd.on('session-error', (c) => emit({ e: 'error', lid, id: c.id, client: c.client, error: toWireError(c.error) }));
        fwd.on('session-refused', (c) => emit({ e: 'refused', lid, client: c.client, reason: c.reason }));
        fwd.on('listener-error', listenerError);
        const run: Running = {
          stop: () => fwd.stop(),
          meter: fwd.meter,
          rows: () =>
            fwd.sessions().map((c) => ({ id: c.id, client: c.client, openedAt: c.openedAt, bytesIn: c.bytesIn, bytesOut: c.bytesOut, state: 'active' as const })),
          close: (id) => fwd.closeSession(id),
        };
        return { run, start: () => fwd.start() };
      }
      case 'socks': {
        const allow = filter(spec.allow, spec.deny);
        const server = new Socks5Server({
          listen: spec.listen,
          dial: directDialer(spec.connectTimeoutMs),
          handshakeTimeoutMs: spec.handshakeTimeoutMs,
          maxConnections: spec.maxConnections,
          ...(allow ? { allow } : {}),
          ...(spec.auth ? { auth: spec.auth } : {}),
        });
        server.on('connection-open', (c) => emit({ e: 'open', lid, id: c.id, client: c.client }));
        server.on('connection-close', (c) =>
          emit({ e: 'close', lid, id: c.id, client: c.client, bytesIn: c.bytesIn, bytesOut: c.bytesOut, durationMs: c.durationMs }),
        );
        server.on('connection-error', (c) => emit({ e: 'error', lid, client: c.client, error: toWireError(c.error) }));
        server.on('connection-refused', (c) => emit({ e: 'refused', lid, client: c.client, reason: c.reason }));
        server.on('listener-error', listenerError);
        const run: Running = {
          stop: () => server.stop(),
          meter: server.meter,
          rows: () =>
            server.connections().map((c) => ({
              id: c.id,
              client: c.client,
              openedAt: c.openedAt,
              bytesIn: c.bytesIn,
              bytesOut: c.bytesOut,
              state: c.state === 'handshake' ? ('connecting' as const) : c.state,
            })),
          close: (id) => server.closeConnection(id),
        };
        return { run, start: () => server.start() };
      }
    }
  }
}
