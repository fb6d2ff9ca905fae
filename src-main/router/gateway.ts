import type { RouterMethod, RouterProtocolUsed } from '../../src-shared/model/router';
import { IgdClient, type PortMappingEntry } from './igd-client';
import { NatPmpClient, NatPmpNoAnswerError, NatPmpResultError } from './natpmp-client';
import { PcpClient, PcpResultError } from './pcp-client';
import { RouterError, UPNP_ERROR_TEXT, UpnpSoapError } from './router-error';
import { ssdpSearch } from './ssdp';

// One router, whichever protocol it speaks. Auto mode asks all three at once (SSDP search, a NAT-PMP
// external-address request, a PCP ANNOUNCE) and prefers UPnP IGD: it is what most home routers have
// switched on, it takes the external port we ask for or says why not, and it can list mappings — which
// is how stale ones are found by their description. NAT-PMP is the first fallback (Apple routers, some
// firmwares), PCP (RFC 6887, its successor) the second: routers that speak PCP mostly answer NAT-PMP
// too, and NAT-PMP needs no nonce to be kept.

export interface MapRequest {
  protocol: 'tcp' | 'udp';
  internalAddress: string;
  internalPort: number;
  externalPort: number;
  leaseSeconds: number;
  description: string;
  /** PCP: the mapping's nonce (a renewal or deletion repeats it); absent for a new mapping. */
  nonce?: string;
}

export interface Granted {
  externalPort: number;
  /** 0 = permanent. */
  leaseSeconds: number;
  /** PCP tells the external address with the mapping (it has no request of its own for it). */
  externalAddress?: string;
  /** PCP: the nonce to keep for renewals and the deletion. */
  nonce?: string;
}

export interface RouterGateway {
  method: RouterProtocolUsed;
  /** The router's LAN address. */
  gateway: string;
  /** In words, for messages: "UPnP IGD at http://…/rootDesc.xml". */
  describe: string;
  externalAddress(): Promise<string>;
  map(req: MapRequest): Promise<Granted>;
  unmap(req: Omit<MapRequest, 'leaseSeconds'>): Promise<void>;
  /** UPnP only: every mapping on the router. */
  list?(): Promise<PortMappingEntry[]>;
}

const upper = (p: 'tcp' | 'udp') => (p === 'udp' ? 'UDP' : 'TCP');
/** Seconds a lease may have run down between AddPortMapping and reading it back. */
const LEASE_READ_SLACK_S = 5;

function refused(err: unknown, where: string): never {
  if (err instanceof UpnpSoapError) {
    const text = UPNP_ERROR_TEXT[err.errorCode] ?? err.description;
    if (err.errorCode === 718 || err.errorCode === 729) {
      throw new RouterError('EXTERNAL_PORT_TAKEN', `${where}: UPnP error ${err.errorCode} (${text})`, err.errorCode, { cause: err });
    }
    throw new RouterError('ROUTER_REFUSED', `${where}: UPnP error ${err.errorCode} (${text})`, err.errorCode, { cause: err });
  }
  if (err instanceof NatPmpResultError) {
    throw new RouterError('ROUTER_REFUSED', `${where}: ${err.message}`, err.resultCode, { cause: err });
  }
  if (err instanceof PcpResultError) {
    // 11 CANNOT_PROVIDE_EXTERNAL: the port asked for is not to be had (RFC 6887 section 7.4).
    const code = err.resultCode === 11 ? 'EXTERNAL_PORT_TAKEN' : 'ROUTER_REFUSED';
    throw new RouterError(code, `${where}: ${err.message}`, err.resultCode, { cause: err });
  }
  if (err instanceof RouterError) throw err;
  throw new RouterError('ROUTER_ERROR', `${where}: ${(err as Error).message}`, undefined, { cause: err });
}

export class UpnpGateway implements RouterGateway {
  readonly method = 'upnp' as const;
  readonly gateway: string;
  readonly describe: string;
  constructor(private readonly igd: IgdClient) {
    this.gateway = igd.service.controlUrl.hostname;
    const name = igd.service.friendlyName ? ` (${igd.service.friendlyName})` : '';
    this.describe = `UPnP IGD at ${igd.service.location.href}${name}`;
  }

  externalAddress(): Promise<string> {
    return this.igd.externalAddress().catch((err: unknown) => refused(err, `${this.describe}: GetExternalIPAddress`));
  }

  async map(req: MapRequest): Promise<Granted> {
    const proto = upper(req.protocol);
    const where = `${this.describe}: AddPortMapping ${proto} ${req.externalPort} → ${req.internalAddress}:${req.internalPort}`;
    // Ask first, so a port held by someone else is reported with its holder instead of a bare 718
    // (and so one of our own mappings is renewed in place rather than replaced by another app's).
    const held = await this.igd.getSpecificPortMappingEntry(req.externalPort, proto).catch(() => undefined);
    if (held && !(held.internalClient === req.internalAddress && (held.internalPort === req.internalPort || held.description === req.description))) {
      throw new RouterError(
        'EXTERNAL_PORT_TAKEN',
        `external port ${req.externalPort}/${proto} on the router is already forwarded to ${held.internalClient}:${held.internalPort}` +
          (held.description ? ` ("${held.description}")` : ''),
        718,
      );
    }
    const add = (leaseSeconds: number) => this.igd.addPortMapping({ ...req, internalClient: req.internalAddress, protocol: proto, leaseSeconds });
    let lease = req.leaseSeconds;
    try {
      await add(lease);
    } catch (err) {
      // 725 OnlyPermanentLeasesSupported (IGD 1 routers): a permanent mapping, removed when we stop.
      if (!(err instanceof UpnpSoapError && err.errorCode === 725)) refused(err, where);
      lease = 0;
      await add(0).catch((e: unknown) => refused(e, where));
    }
    // The router may grant a shorter lease than asked; renewals follow what it granted. The entry tells
    // the time left, which has already run down by a second or two on a busy host: that is no shortening.
    const entry = await this.igd.getSpecificPortMappingEntry(req.externalPort, proto).catch(() => undefined);
    const granted = entry && entry.leaseSeconds > 0 && entry.leaseSeconds < lease - LEASE_READ_SLACK_S ? entry.leaseSeconds : lease;
    return { externalPort: req.externalPort, leaseSeconds: granted };
  }

  async unmap(req: Omit<MapRequest, 'leaseSeconds'>): Promise<void> {
    const proto = upper(req.protocol);
    // Only delete what is still ours: after a restart of the router someone else may hold the port.
    const held = await this.igd
      .getSpecificPortMappingEntry(req.externalPort, proto)
      .catch((err: unknown) => refused(err, `${this.describe}: GetSpecificPortMappingEntry ${proto} ${req.externalPort}`));
    if (!held || held.internalClient !== req.internalAddress || held.internalPort !== req.internalPort) return;
    // Same host and port but another owner's description: a later run took the port over (a profile run's
    // rules get new ids each time), so this stale record's owner no longer has it.
    if (held.description && held.description !== req.description) return;
    await this.igd.deletePortMapping(req.externalPort, proto).catch((err: unknown) => {
      if (err instanceof UpnpSoapError && err.errorCode === 714) return;
      refused(err, `${this.describe}: DeletePortMapping ${proto} ${req.externalPort}`);
    });
  }

  list(): Promise<PortMappingEntry[]> {
    return this.igd.listPortMappings();
  }
}

export class NatPmpGateway implements RouterGateway {
  readonly method = 'natpmp' as const;
  readonly describe: string;
  constructor(
    private readonly client: NatPmpClient,
    /** The address learnt while finding the gateway, used once instead of asking again at once. */
    private knownAddress?: string,
  ) {
    this.describe = `NAT-PMP at ${client.gateway}:5351`;
  }

  get gateway(): string {
    return this.client.gateway;
  }

  async externalAddress(): Promise<string> {
    const known = this.knownAddress;
    this.knownAddress = undefined;
    if (known) return known;
    return this.client.externalAddress().catch((err: unknown) => refused(err, `${this.describe}: external address request`));
  }

  async map(req: MapRequest): Promise<Granted> {
    const where = `${this.describe}: mapping ${req.protocol} ${req.externalPort} → ${req.internalAddress}:${req.internalPort}`;
    const m = await this.client.map(req.protocol, req.internalPort, req.externalPort, req.leaseSeconds).catch((err: unknown) => refused(err, where));
    return { externalPort: m.externalPort, leaseSeconds: m.lifetimeSeconds };
  }

  async unmap(req: Omit<MapRequest, 'leaseSeconds'>): Promise<void> {
    await this.client.unmap(req.protocol, req.internalPort).catch((err: unknown) => refused(err, `${this.describe}: unmap`));
  }
}

export class PcpGateway implements RouterGateway {
  readonly method = 'pcp' as const;
  readonly describe: string;
  /** Learnt from the last MAP answer: PCP has no request for the external address alone. */
  private lastAddress = '';
  constructor(private readonly client: PcpClient) {
    this.describe = `PCP at ${client.gateway}:5351`;
  }

  get gateway(): string {
    return this.client.gateway;
  }

  /** '' until a mapping was made (`porthole upnp status` says so). */
  externalAddress(): Promise<string> {
    return Promise.resolve(this.lastAddress);
  }

  async map(req: MapRequest): Promise<Granted> {
    const where = `${this.describe}: MAP ${req.protocol} ${req.externalPort} → ${req.internalAddress}:${req.internalPort}`;
    const m = await this.client
      .map({ protocol: req.protocol, internalPort: req.internalPort, externalPort: req.externalPort, lifetimeSeconds: req.leaseSeconds, ...(req.nonce ? { nonce: req.nonce } : {}) })
      .catch((err: unknown) => refused(err, where));
    if (m.externalAddress) this.lastAddress = m.externalAddress;
    return { externalPort: m.externalPort, leaseSeconds: m.lifetimeSeconds, externalAddress: m.externalAddress, nonce: m.nonce };
  }

  async unmap(req: Omit<MapRequest, 'leaseSeconds'>): Promise<void> {
    // Without the nonce the router refuses (NOT_AUTHORIZED): the lease ends the mapping instead.
    if (!req.nonce) throw new RouterError('ROUTER_ERROR', `${this.describe}: the mapping's nonce is not known, so it cannot be deleted — it expires with its lease`);
    await this.client
      .map({ protocol: req.protocol, internalPort: req.internalPort, externalPort: req.externalPort, lifetimeSeconds: 0, nonce: req.nonce })
      .catch((err: unknown) => refused(err, `${this.describe}: unmap`));
  }
}

export interface FindOptions {
  localAddress: string;
  /** The default gateway, when known: NAT-PMP needs it; SSDP also asks it directly. */
  gateway: string | undefined;
  method: RouterMethod;
  timeoutMs?: number;
}

async function findUpnp(o: FindOptions, timeoutMs: number): Promise<RouterGateway | undefined> {
  const answers = await ssdpSearch({ localAddress: o.localAddress, timeoutMs, ...(o.gateway ? { gateway: o.gateway } : {}) });
  // The default gateway's own IGD first: another UPnP device on the LAN cannot forward the internet.
  answers.sort((a, b) => Number(b.from === o.gateway) - Number(a.from === o.gateway));
  for (const a of answers) {
    const igd = await IgdClient.open(a.location, o.localAddress).catch(() => undefined);
    if (igd) return new UpnpGateway(igd);
  }
  return undefined;
}

async function findNatPmp(o: FindOptions, timeoutMs: number): Promise<RouterGateway | undefined> {
  if (!o.gateway) return undefined;
  const client = new NatPmpClient(o.gateway, o.localAddress, timeoutMs);
  try {
    return new NatPmpGateway(client, await client.externalAddress());
  } catch (err) {
    if (err instanceof NatPmpNoAnswerError) return undefined;
    // Result 1: a router that speaks only PCP (RFC 6887 section 9) — the PCP probe finds it.
    if (err instanceof NatPmpResultError && err.resultCode === 1) return undefined;
    // It answered but refused (e.g. result 3, no external address yet): it is there; mapping will say why.
    if (err instanceof NatPmpResultError) return new NatPmpGateway(client);
    throw err;
  }
}

async function findPcp(o: FindOptions, timeoutMs: number): Promise<RouterGateway | undefined> {
  if (!o.gateway) return undefined;
  const client = new PcpClient(o.gateway, o.localAddress, timeoutMs);
  try {
    await client.announce();
  } catch (err) {
    // No answer, or "unsupported version": no PCP there. Another refusal still shows PCP is there.
    if (err instanceof PcpResultError && err.resultCode !== 1) return new PcpGateway(client);
    return undefined;
  }
  return new PcpGateway(client);
}

/** Finds the router for `localAddress`, or throws GATEWAY_NOT_FOUND saying what was tried. */
export async function findGateway(o: FindOptions): Promise<RouterGateway> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const asks = (m: RouterProtocolUsed) => o.method === 'auto' || o.method === m;
  const [upnp, natpmp, pcp] = await Promise.all([
    asks('upnp') ? findUpnp(o, timeoutMs).catch(() => undefined) : undefined,
    asks('natpmp') ? findNatPmp(o, timeoutMs).catch(() => undefined) : undefined,
    asks('pcp') ? findPcp(o, timeoutMs).catch(() => undefined) : undefined,
  ]);
  const found = upnp ?? natpmp ?? pcp;
  if (found) return found;
  const on5351 = [asks('natpmp') ? 'NAT-PMP' : undefined, asks('pcp') ? 'PCP' : undefined].filter(Boolean).join(' and ');
  const tried = [
    asks('upnp') ? `no UPnP IGD answered an SSDP search from ${o.localAddress} within ${timeoutMs / 1000} s` : undefined,
    on5351
      ? o.gateway
        ? `${on5351} at ${o.gateway}:5351 did not answer`
        : `${on5351} not tried: this host has no default gateway`
      : undefined,
  ].filter(Boolean);
  throw new RouterError(
    'GATEWAY_NOT_FOUND',
    `No router found: ${tried.join('; ')} — switch UPnP or NAT-PMP/PCP on in the router's settings, or use a relay`,
  );
}
