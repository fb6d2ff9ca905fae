import { formatHostPort, isLoopbackHost } from '../../src-shared/format/address';
import { type RouterMappingStatus, type RouterOption, type RouterProtocolUsed, isPrivateIPv4 } from '../../src-shared/model/router';
import { type MapRequest, type RouterGateway, findGateway } from './gateway';
import { MappingJournal } from './mapping-journal';
import { lanAddresses, resolveLanEndpoint } from './net-info';
import { RouterError } from './router-error';
import { type LogLine, said } from '../../src-shared/model/log-text';

// The router side of listening rules: map when a rule runs, renew before the lease ends, unmap when
// it stops; one entry per owner (a rule id, or the CLI's forward). Work on one owner is serialised so
// a stop that arrives mid-renewal unmaps what the renewal made.

export interface MappingRequest {
  /** Rule id (or the CLI's `forward-tcp-PORT`): the router sees it in the description "Porthole <id>". */
  ownerId: string;
  protocol: 'tcp' | 'udp';
  listenHost: string;
  listenPort: number;
  option: RouterOption;
}

type Level = 'info' | 'warn' | 'error';

export interface RouterMappingsOptions {
  /** Where the stale-mapping journal lives (the data dir's router-mappings/); undefined: none. */
  journalDir?: string;
  discoveryTimeoutMs?: number;
  /** First retry after a failure; doubles up to 5 min. */
  retryMs?: number;
  /** The English line (what the CLI prints) with its code and fields for a window (log-text.ts), and the error code of a failure. */
  log?(level: Level, message: string, ownerId: string, code: string | undefined, line: LogLine): void;
  onChange?(ownerId: string, status: RouterMappingStatus | undefined): void;
}

interface Active extends Omit<MapRequest, 'leaseSeconds'> {
  gw: RouterGateway;
}

interface Entry {
  req: MappingRequest;
  status: RouterMappingStatus;
  gen: number;
  timer?: NodeJS.Timeout;
  gw?: RouterGateway;
  active?: Active;
  chain: Promise<unknown>;
  failures: number;
}

const RETRY_MAX_MS = 5 * 60_000;

export const describeMethod = (m: RouterProtocolUsed | undefined): string => (m === 'natpmp' ? 'NAT-PMP' : m === 'pcp' ? 'PCP' : 'UPnP');

export class RouterMappings {
  private readonly entries = new Map<string, Entry>();
  /** Releases under way: quitting waits for them too. */
  private readonly releasing = new Set<Promise<void>>();
  private readonly journal: MappingJournal;

  constructor(private readonly opts: RouterMappingsOptions = {}) {
    this.journal = new MappingJournal(opts.journalDir);
  }

  status(ownerId: string): RouterMappingStatus | undefined {
    return this.entries.get(ownerId)?.status;
  }

  /** Starts (or keeps) the mapping in the background; the outcome arrives through onChange. */
  ensure(req: MappingRequest): void {
    void this.map(req);
  }

  /** Maps and resolves with the outcome of the first attempt (mapped or failed). */
  async map(req: MappingRequest): Promise<RouterMappingStatus> {
    const cur = this.entries.get(req.ownerId);
    if (cur && JSON.stringify(cur.req) === JSON.stringify(req)) {
      await cur.chain;
      return cur.status;
    }
    if (cur) await this.release(req.ownerId);
    const entry: Entry = { req, status: { state: 'mapping', protocol: req.protocol }, gen: 0, chain: Promise.resolve(), failures: 0 };
    this.entries.set(req.ownerId, entry);
    this.changed(entry);
    await this.queue(entry, () => this.establish(entry, entry.gen));
    return entry.status;
  }

  /** Unmaps (when mapped) and forgets the owner. Never throws: a router gone away is logged. */
  release(ownerId: string): Promise<void> {
    const entry = this.entries.get(ownerId);
    if (!entry) return Promise.resolve();
    entry.gen++;
    if (entry.timer) clearTimeout(entry.timer);
    this.entries.delete(ownerId);
    const done = (async () => {
      await entry.chain;
      await this.unmapActive(entry);
      this.opts.onChange?.(ownerId, undefined);
    })();
    this.releasing.add(done);
    void done.finally(() => this.releasing.delete(done));
    return done;
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...[...this.entries.keys()].map((id) => this.release(id)), ...this.releasing]);
  }

  /**
   * Removes what earlier runs left for owners that are not mapping now (a rule that crashed with the
   * option on and comes up switched off). Runs in the background at start; never throws.
   */
  async sweep(): Promise<void> {
    for (const ownerId of this.journal.owners()) {
      const rec = this.journal.read(ownerId);
      if (!rec || this.entries.has(ownerId)) continue;
      if (MappingJournal.heldByLiveProcess(rec)) {
        this.log('info', said('routerLeftAlone', { protocol: rec.protocol.toUpperCase(), port: rec.externalPort, pid: String(rec.pid) }), ownerId);
        continue;
      }
      try {
        const lan = await resolveLanEndpoint(rec.internalAddress);
        if (!lan) continue;
        const gw = await findGateway({ localAddress: lan.address, gateway: lan.gateway, method: rec.method, timeoutMs: this.opts.discoveryTimeoutMs });
        if (gw.gateway !== rec.gateway || this.entries.has(ownerId)) continue;
        await gw.unmap(rec);
        this.journal.remove(ownerId);
        this.log('info', said('routerRemovedStale', { protocol: rec.protocol.toUpperCase(), port: rec.externalPort }), ownerId);
      } catch {
        // The router is not there (another network, a laptop away from home): the lease ends it.
      }
    }
  }

  private queue(entry: Entry, work: () => Promise<void>): Promise<unknown> {
    entry.chain = entry.chain.then(work, work);
    return entry.chain;
  }

  private async unmapActive(entry: Entry): Promise<void> {
    const a = entry.active;
    if (!a) return;
    entry.active = undefined;
    const { gw, ...what } = a;
    try {
      await gw.unmap(what);
      this.log('info', said('routerClosed', { protocol: what.protocol.toUpperCase(), port: what.externalPort, gateway: gw.describe }), entry.req.ownerId);
      this.journal.remove(entry.req.ownerId);
    } catch (err) {
      this.log('warn', said('routerCloseFailed', { port: what.externalPort, error: (err as Error).message }), entry.req.ownerId);
    }
  }

  private async establish(entry: Entry, gen: number): Promise<void> {
    const { req } = entry;
    try {
      if (isLoopbackHost(req.listenHost)) {
        const lan = lanAddresses().map((a) => a.address);
        throw new RouterError(
          'LISTEN_ON_LOOPBACK',
          `the mapping listens on ${req.listenHost}, which the router cannot reach — listen on this computer's LAN address` +
            (lan.length > 0 ? ` (${lan.join(', ')})` : '') + ' or on all interfaces (0.0.0.0)',
        );
      }
      const lan = await resolveLanEndpoint(req.listenHost);
      if (!lan) throw new RouterError('ROUTER_ERROR', `no IPv4 LAN address for ${req.listenHost}: UPnP and NAT-PMP map IPv4 addresses only`);
      const gw = entry.gw ?? (await findGateway({ localAddress: lan.address, gateway: lan.gateway, method: req.option.protocol, timeoutMs: this.opts.discoveryTimeoutMs }));
      entry.gw = gw;
      if (gen !== entry.gen) return;
      const want: Omit<MapRequest, 'leaseSeconds'> = {
        protocol: req.protocol,
        internalAddress: lan.address,
        internalPort: req.listenPort,
        externalPort: req.option.externalPort ?? req.listenPort,
        description: `Porthole ${req.ownerId}`,
      };
      await this.removeStale(entry, gw, want);
      const granted = await gw.map({ ...want, leaseSeconds: req.option.leaseSeconds });
      const nonce = granted.nonce ? { nonce: granted.nonce } : {};
      entry.active = { ...want, externalPort: granted.externalPort, gw, ...nonce };
      this.journal.write({ ...want, ownerId: req.ownerId, method: gw.method, gateway: gw.gateway, externalPort: granted.externalPort, at: Date.now(), ...nonce });
      // PCP says it with the mapping; UPnP and NAT-PMP are asked (a failure gives the port back).
      const external =
        granted.externalAddress ??
        (await gw.externalAddress().catch(async (err: unknown) => {
          await this.unmapActive(entry);
          throw err;
        }));
      if (req.option.externalPort !== undefined && granted.externalPort !== req.option.externalPort) {
        await this.unmapActive(entry);
        throw new RouterError('EXTERNAL_PORT_TAKEN', `${gw.describe} offered external port ${granted.externalPort} instead of ${req.option.externalPort}, which is taken`);
      }
      if (gen !== entry.gen) return;
      entry.failures = 0;
      const renewAt = granted.leaseSeconds > 0 ? Date.now() + (granted.leaseSeconds * 1000) / 2 : undefined;
      entry.status = {
        state: 'mapped',
        method: gw.method,
        gateway: gw.gateway,
        externalAddress: external,
        externalPort: granted.externalPort,
        internalAddress: lan.address,
        internalPort: req.listenPort,
        protocol: req.protocol,
        leaseSeconds: granted.leaseSeconds,
        ...(renewAt ? { renewAt } : {}),
        ...(isPrivateIPv4(external) || external === ''
          ? {
              warning: {
                code: 'DOUBLE_NAT' as const,
                message: said('routerDoubleNat', { external: external || '(none)' })[0],
              },
            }
          : {}),
      };
      this.changed(entry);
      const reach = {
        external: formatHostPort(external, granted.externalPort),
        method: describeMethod(gw.method),
        internal: formatHostPort(lan.address, req.listenPort),
        protocol: req.protocol.toUpperCase(),
        gateway: gw.describe,
      };
      const leased = granted.leaseSeconds > 0 ? said('routerReachable', { ...reach, lease: granted.leaseSeconds, renew: Math.round(granted.leaseSeconds / 2) }) : said('routerReachablePermanent', reach);
      this.log('info', leased, req.ownerId);
      if (entry.status.warning) this.log('warn', said('routerDoubleNat', { external: external || '(none)' }), req.ownerId, 'DOUBLE_NAT');
      if (renewAt) this.schedule(entry, gen, renewAt - Date.now(), () => this.renew(entry, gen));
    } catch (err) {
      if (gen === entry.gen) this.fail(entry, gen, err);
    }
  }

  private async renew(entry: Entry, gen: number): Promise<void> {
    const a = entry.active;
    if (!a || gen !== entry.gen) return;
    try {
      const { gw, ...what } = a;
      const granted = await gw.map({ ...what, leaseSeconds: entry.req.option.leaseSeconds });
      if (gen !== entry.gen) return;
      const renewAt = granted.leaseSeconds > 0 ? Date.now() + (granted.leaseSeconds * 1000) / 2 : undefined;
      entry.status = { ...entry.status, leaseSeconds: granted.leaseSeconds, ...(renewAt ? { renewAt } : {}) };
      this.changed(entry);
      if (renewAt) this.schedule(entry, gen, renewAt - Date.now(), () => this.renew(entry, gen));
    } catch (err) {
      // The router may have restarted or gone: find it again from scratch.
      entry.gw = undefined;
      entry.active = undefined;
      if (gen === entry.gen) this.fail(entry, gen, err);
    }
  }

  private fail(entry: Entry, gen: number, err: unknown): void {
    const e = err instanceof RouterError ? err : new RouterError('ROUTER_ERROR', (err as Error)?.message ?? String(err), undefined, { cause: err });
    entry.failures++;
    // A loopback listen address needs the user; everything else may clear up (router rebooting, port freed).
    const retry = e.code === 'LISTEN_ON_LOOPBACK' ? undefined : Math.min(RETRY_MAX_MS, (this.opts.retryMs ?? 30_000) * 2 ** (entry.failures - 1));
    entry.status = {
      state: 'failed',
      protocol: entry.req.protocol,
      ...(entry.gw ? { method: entry.gw.method, gateway: entry.gw.gateway } : {}),
      error: { code: e.code, message: e.message, ...(e.routerCode !== undefined ? { routerCode: e.routerCode } : {}), at: Date.now() },
      ...(retry !== undefined ? { renewAt: Date.now() + retry } : {}),
    };
    this.changed(entry);
    this.log('error', said('routerError', { error: e.message, errorCode: e.code }), entry.req.ownerId, e.code);
    if (retry !== undefined) {
      this.schedule(entry, gen, retry, () => {
        entry.gw = undefined;
        return this.establish(entry, gen);
      });
    }
  }

  private schedule(entry: Entry, gen: number, ms: number, work: () => Promise<void>): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (gen === entry.gen) void this.queue(entry, work);
    }, Math.max(0, ms));
    entry.timer.unref();
  }

  /** Removes what an earlier run of this owner left on the router: from the journal, and by description. */
  private async removeStale(entry: Entry, gw: RouterGateway, want: Omit<MapRequest, 'leaseSeconds'>): Promise<void> {
    const same = (x: { protocol: string; externalPort: number; internalPort: number }) =>
      x.protocol.toLowerCase() === want.protocol && x.externalPort === want.externalPort && x.internalPort === want.internalPort;
    const stale: Omit<MapRequest, 'leaseSeconds'>[] = [];
    const rec = this.journal.read(entry.req.ownerId);
    // A router may refuse a MAP that repeats an existing PCP mapping with another nonce (RFC 6887
    // section 11.3, NOT_AUTHORIZED): one left by a killed run is deleted with its nonce and made anew.
    if (rec && rec.gateway === gw.gateway && rec.method === gw.method && (!same(rec) || rec.method === 'pcp')) stale.push(rec);
    if (gw.list) {
      for (const m of await gw.list().catch(() => [])) {
        const mine = m.description === want.description && m.internalClient === want.internalAddress;
        const p = m.protocol === 'UDP' ? 'udp' : 'tcp';
        if (mine && !same(m) && !stale.some((s) => s.externalPort === m.externalPort && s.protocol === p)) {
          stale.push({ protocol: p, internalAddress: m.internalClient, internalPort: m.internalPort, externalPort: m.externalPort, description: m.description });
        }
      }
    }
    for (const s of stale) {
      try {
        await gw.unmap(s);
        this.log('info', said('routerRemovedStale', { protocol: s.protocol.toUpperCase(), port: s.externalPort }), entry.req.ownerId);
      } catch (err) {
        this.log('warn', said('routerStaleRemoveFailed', { port: s.externalPort, error: (err as Error).message }), entry.req.ownerId);
      }
    }
    if (rec) this.journal.remove(entry.req.ownerId);
  }

  private changed(entry: Entry): void {
    if (this.entries.get(entry.req.ownerId) === entry) this.opts.onChange?.(entry.req.ownerId, entry.status);
  }

  private log(level: Level, [message, line]: [string, LogLine], ownerId: string, code?: string): void {
    this.opts.log?.(level, message, ownerId, code, line);
  }
}
