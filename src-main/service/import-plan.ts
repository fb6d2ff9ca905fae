import { formatHostPort, listenEndpointsCollide } from '../../src-shared/format/address';
import type { ImportAction, ImportConflict, ImportItem, ImportOrigin, ImportSource } from '../../src-shared/model/import';
import type { Relay } from '../../src-shared/model/relay';
import { type Rule, type RuleDraftParsed, ruleListenEndpoint } from '../../src-shared/model/rule';
import type { SshServer } from '../../src-shared/model/ssh';
import type { ImportBundle, ImportRelay, ImportRule, ImportServer } from '../profiles/import-bundle';
import { startFacts } from './import-exposure';
import { type ListenIndex, listenKey } from './rule-batch';

// The preview's half of an import: what each item of a file would do here — its conflicts with what is
// saved and with the rest of the import, the action proposed and the actions offered. Applying them is
// import-service.ts.

/** A source the host read itself, with where it came from. Sources from the API are always `text`. */
export interface HostImportSource extends ImportSource {
  origin: ImportOrigin;
}

export interface Planned {
  item: ImportItem;
  bundle: ImportBundle;
  server?: ImportServer;
  relay?: ImportRelay;
  rule?: ImportRule;
}

/** What is saved here, read once per preview; `ruleNames` and `planned` grow as the files are planned. */
export interface PlanContext {
  servers: SshServer[];
  relays: Relay[];
  rulesByName: Map<string, Rule>;
  listeners: ListenIndex;
  ruleNames: Set<string>;
  planned: Planned[];
  /** The mappings of `planned` not skipped by default, by where they listen. */
  plannedListeners: PlannedListeners;
}

/**
 * An import's own mappings by where they listen (keyed as ListenIndex keys saved rules), in plan order:
 * each mapping is compared only with those on its port, not with every mapping planned before it.
 */
export class PlannedListeners {
  private readonly buckets = new Map<string, Planned[]>();

  add(p: Planned): void {
    const ep = p.rule && ruleListenEndpoint(p.rule);
    if (!ep) return;
    const key = listenKey(ep);
    const bucket = this.buckets.get(key) ?? this.buckets.set(key, []).get(key)!;
    bucket.push(p);
  }

  /** The first added that listens where `draft` would, if any. */
  first(draft: RuleDraftParsed): Planned | undefined {
    const mine = ruleListenEndpoint(draft);
    if (!mine) return undefined;
    return this.buckets.get(listenKey(mine))?.find((p) => listenEndpointsCollide(mine, ruleListenEndpoint(p.rule!)!));
  }
}

/** Plans the servers, relays and mappings of file number `bi` (read from `src`) into ctx.planned. */
export function planFile(ctx: PlanContext, src: HostImportSource, bi: number, bundle: ImportBundle): void {
  const serverNames = new Set(ctx.servers.map((x) => x.name));
  for (const s of bundle.servers) {
    const same = ctx.servers.find((x) => x.host.toLowerCase() === s.host.toLowerCase() && x.port === s.port && x.user === s.user);
    const named = ctx.servers.find((x) => x.name === s.name);
    const conflicts: ImportConflict[] = [];
    if (same) conflicts.push({ kind: 'same-server', existingId: same.id, message: `the same server is saved as "${same.name}"` });
    else if (named) conflicts.push({ kind: 'name', existingId: named.id, message: `a server named "${s.name}" exists (${named.user}@${formatHostPort(named.host, named.port)})` });
    ctx.planned.push({
      bundle,
      server: s,
      item: {
        key: `s:${bi}:${s.ref}`,
        kind: 'server',
        name: s.name,
        summary: `SSH ${s.user}@${formatHostPort(s.host, s.port)}`,
        ...(s.jump.length ? { jumps: s.jump.length } : {}),
        source: src.name,
        conflicts,
        ...savedChoice(s.name, !!same, !!named, serverNames),
        ...(s.password !== undefined || s.passphrase !== undefined ? { hasSecret: true } : {}),
      },
    });
  }
  const relayNames = new Set(ctx.relays.map((x) => x.name));
  for (const r of bundle.relays) {
    const same = ctx.relays.find((x) => x.host.toLowerCase() === r.host.toLowerCase() && x.port === r.port && x.agentName === r.agentName);
    const named = ctx.relays.find((x) => x.name === r.name);
    const conflicts: ImportConflict[] = [];
    if (same) conflicts.push({ kind: 'same-relay', existingId: same.id, message: `the same relay is saved as "${same.name}"` });
    else if (named) conflicts.push({ kind: 'name', existingId: named.id, message: `a relay named "${r.name}" exists (${formatHostPort(named.host, named.port)})` });
    ctx.planned.push({
      bundle,
      relay: r,
      item: {
        key: `y:${bi}:${r.ref}`,
        kind: 'relay',
        name: r.name,
        summary: `relay ${formatHostPort(r.host, r.port)} as agent "${r.agentName}"${r.tls ? '' : ' (no TLS)'}`,
        source: src.name,
        conflicts,
        ...savedChoice(r.name, !!same, !!named, relayNames),
        ...(r.token !== undefined ? { hasSecret: true } : {}),
      },
    });
  }
  for (const [ri, r] of bundle.rules.entries()) {
    const conflicts: ImportConflict[] = [];
    const named = ctx.rulesByName.get(r.name);
    if (named) conflicts.push({ kind: 'name', existingId: named.id, message: `a mapping named "${r.name}" exists` });
    const holder = ctx.listeners.conflict(r, undefined);
    if (holder) {
      const ep = ruleListenEndpoint(holder)!;
      conflicts.push({ kind: 'listen', existingId: holder.id, message: `"${holder.name}" already listens on ${formatHostPort(ep.host, ep.port)}` });
    }
    // Two mappings of this import on the same address: the later one is skipped unless the earlier is.
    const sibling = holder ? undefined : ctx.plannedListeners.first(r);
    if (sibling) {
      const ep = ruleListenEndpoint(sibling.rule!)!;
      conflicts.push({ kind: 'listen-import', existingId: sibling.item.key, message: `"${sibling.item.name}" in this import also listens on ${formatHostPort(ep.host, ep.port)}` });
    }
    const facts = startFacts(r, bundle);
    // A link from any web page must not make this machine listen for others without a choice.
    const linkExposed = src.origin === 'link' && facts.offLoopback === true && !holder && !sibling;
    const action: ImportAction = holder || sibling || linkExposed ? 'skip' : named ? 'rename' : 'import';
    const renameTo = freeName(r.name, ctx.ruleNames);
    ctx.ruleNames.add(action === 'rename' ? renameTo : r.name);
    const planned: Planned = {
      bundle,
      rule: r,
      item: {
        key: `r:${bi}:${ri}`,
        kind: 'rule',
        name: r.name,
        summary: describeDraft(r),
        ruleType: r.type,
        source: src.name,
        conflicts,
        action,
        actions: conflicts.length === 0 ? ['import', 'skip'] : holder ? ['skip', 'replace'] : sibling ? ['skip', ...(named ? (['rename'] as const) : (['import'] as const))] : ['rename', 'replace', 'skip'],
        ...(named ? { renameTo } : {}),
        ...(r.socksPassword !== undefined ? { hasSecret: true } : {}),
        ...facts,
        ...(linkExposed ? { skippedBecause: 'link-off-loopback' as const } : {}),
      },
    };
    ctx.planned.push(planned);
    if (action !== 'skip') ctx.plannedListeners.add(planned);
  }
}

/**
 * What a server or relay of the file may do beside the saved ones: the same one saved → reuse it (or
 * replace, or add it renamed); only its name taken → rename (or replace); neither → import.
 */
function savedChoice(name: string, same: boolean, named: boolean, taken: Set<string>): Pick<ImportItem, 'action' | 'actions' | 'renameTo'> {
  if (same) return { action: 'reuse', actions: ['reuse', 'replace', 'rename'], renameTo: freeName(name, taken) };
  if (named) return { action: 'rename', actions: ['rename', 'replace'], renameTo: freeName(name, taken) };
  return { action: 'import', actions: ['import'] };
}

export function describeDraft(r: RuleDraftParsed): string {
  const hp = (e: { host: string; port: number }) => formatHostPort(e.host, e.port);
  switch (r.type) {
    case 'tcp-forward':
    case 'udp-forward':
      return `${r.type} ${hp(r.listen)} → ${hp(r.target)}`;
    case 'ssh-local':
      return `ssh -L ${hp(r.listen)} → ${hp(r.target)}`;
    case 'ssh-remote':
      return `ssh -R ${formatHostPort(r.remote.host, r.remote.port)} → ${hp(r.target)}`;
    case 'ssh-dynamic':
      return `ssh -D ${hp(r.listen)} (SOCKS)`;
    case 'socks':
      return `SOCKS ${hp(r.listen)}`;
    case 'relay-expose':
      return `relay port ${r.remotePort || 'any'}/${r.protocol}${r.kind === 'http' ? ' (HTTP log)' : ''} → ${hp(r.target)}`;
  }
}

function freeName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) {
    const n = `${name.slice(0, 74)} (${i})`;
    if (!taken.has(n)) return n;
  }
}
