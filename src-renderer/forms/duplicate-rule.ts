import { listenEndpointsCollide } from '../../src-shared/format/address';
import { ruleListenEndpoint, type Rule, type RuleDraft } from '../../src-shared/model/rule';
import { t } from '../i18n/i18n';

// "Duplicate": a copy named "X (copy)" (the suffix in the UI language), switched off, listening on the
// next port no other mapping uses (the host refuses two mappings on one listen address, even switched
// off). Whether the OS has that port free is only known when the copy is switched on; the editor is
// where to change it.

const MAX_NAME = 80;

export function copyName(name: string, taken: ReadonlySet<string>): string {
  const fit = (suffix: string) => `${name.slice(0, MAX_NAME - suffix.length).trimEnd()}${suffix}`;
  let candidate = fit(t('mappings.duplicate.copySuffix'));
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = fit(t('mappings.duplicate.copySuffixN', { n }));
  return candidate;
}

/** The first port after the rule's own that no other rule listens on (same protocol), or undefined if it listens nowhere here. */
export function nextFreeListenPort(rule: Rule, all: readonly Rule[]): number | undefined {
  const mine = ruleListenEndpoint(rule);
  if (!mine) return undefined;
  const used = all.flatMap((r) => {
    const ep = ruleListenEndpoint(r);
    return ep && ep.protocol === mine.protocol ? [ep] : [];
  });
  for (let step = 1; step < 65535; step++) {
    const port = ((mine.port - 1 + step) % 65535) + 1;
    if (!used.some((ep) => listenEndpointsCollide({ host: mine.host, port }, ep))) return port;
  }
  return undefined;
}

export interface Duplicate {
  draft: RuleDraft;
  /** Set when the copy listens on another port than the original. */
  port?: number;
  /** A SOCKS password is a secret of the original rule and is not copied. */
  passwordDropped: boolean;
}

export function duplicateDraft(rule: Rule, all: readonly Rule[]): Duplicate {
  const { id: _id, ...rest } = rule;
  const name = copyName(rule.name, new Set(all.map((r) => r.name.toLowerCase())));
  const draft = { ...rest, name, enabled: false } as RuleDraft;
  const port = nextFreeListenPort(rule, all);
  if (port !== undefined && 'listen' in draft) draft.listen = { ...draft.listen, port };
  let passwordDropped = false;
  if ('socks' in draft && draft.socks?.hasPassword) {
    draft.socks = { ...draft.socks, hasPassword: false };
    passwordDropped = true;
  }
  return { draft, ...(port !== undefined ? { port } : {}), passwordDropped };
}
