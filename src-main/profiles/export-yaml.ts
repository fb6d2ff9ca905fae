import { Document } from 'yaml';
import { DocRelaySchema, DocServerSchema, PORTHOLE_DOC_VERSION, parseDocRule } from '../../src-shared/model/porthole-doc';
import { RelayDraftSchema } from '../../src-shared/model/relay';
import { SshServerDraftSchema } from '../../src-shared/model/ssh';
import type { ExportResult, ExportSecrets, Selection } from './export-profile';
import { quoted } from './export-ssh-config';

// Porthole's own export document (src-shared/model/porthole-doc.ts) as YAML or JSON. Every entry is
// checked with the schema the importer uses before it is written, so the file always reads back.

export interface DocOptions {
  format: 'yaml' | 'json';
  now: Date;
  /** Set when the person opted in to secrets. */
  secrets: ExportSecrets | undefined;
}

const SERVER_KEYS = Object.keys(SshServerDraftSchema.shape);
const RELAY_KEYS = Object.keys(RelayDraftSchema.shape);

/** Only the draft's own fields: a saved entity may carry bookkeeping the strict doc schemas refuse. */
function pick(obj: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keys.includes(k)));
}

/** The ref first: what rules point at, and what a person reading the file looks for. */
function refFirst<T extends { ref: string }>({ ref, ...rest }: T): object {
  return { ref, ...rest };
}

export function renderDoc(sel: Selection, opts: DocOptions): Omit<ExportResult, 'fileName'> {
  const warnings = [...sel.warnings];
  const { secrets } = opts;
  const missing: string[] = [];
  let included = false;
  const notFound = (what: string, name: string) => warnings.push(`${quoted(name)}: its ${what} is not in the secret store, so it is not included`);
  /** Looks a secret up only when one is recorded and secrets are wanted; notes what is left behind. */
  const secret = (recorded: boolean, what: string, name: string, lookup: (s: ExportSecrets) => string | undefined): string | undefined => {
    if (!recorded) return undefined;
    if (!secrets) {
      missing.push(`${quoted(name)} (${what})`);
      return undefined;
    }
    const value = lookup(secrets);
    if (value === undefined || value === '') {
      notFound(what, name);
      return undefined;
    }
    included = true;
    return value;
  };
  const invalid = (kind: string, name: string, issue: { path: PropertyKey[]; message: string } | undefined) =>
    warnings.push(`${kind} ${quoted(name)} left out: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'not valid'}`);

  const servers: unknown[] = [];
  const written = new Set<string>();
  for (const s of sel.servers) {
    const ref = sel.serverRefs.get(s.id)!;
    const jump = s.jump.map((id) => sel.serverRefs.get(id)!);
    if (!s.jump.every((id) => written.has(id))) {
      warnings.push(`SSH server ${quoted(s.name)} left out: one of its jump hosts could not be exported`);
      continue;
    }
    let auth = s.auth;
    let extra = {};
    if (auth.method === 'password') {
      const password = secret(auth.hasPassword, 'password', s.name, (x) => x.sshPassword(s.id));
      auth = { method: 'password', hasPassword: password !== undefined };
      if (password !== undefined) extra = { password };
    } else if (auth.method === 'key') {
      const passphrase = secret(auth.hasPassphrase, 'key passphrase', s.name, (x) => x.sshPassphrase(s.id));
      auth = { ...auth, hasPassphrase: passphrase !== undefined };
      if (passphrase !== undefined) extra = { passphrase };
    }
    const r = DocServerSchema.safeParse({ ref, ...pick(s, SERVER_KEYS), auth, jump, ...extra });
    if (!r.success) {
      invalid('SSH server', s.name, r.error.issues[0]);
      continue;
    }
    written.add(s.id);
    servers.push(refFirst(r.data));
  }

  const relays: unknown[] = [];
  const writtenRelays = new Set<string>();
  for (const relay of sel.relays) {
    const token = secret(relay.hasToken, 'token', relay.name, (x) => x.relayToken(relay.id));
    const draft = { ref: sel.relayRefs.get(relay.id)!, ...pick(relay, RELAY_KEYS), hasToken: token !== undefined, ...(token !== undefined ? { token } : {}) };
    const r = DocRelaySchema.safeParse(draft);
    if (!r.success) {
      invalid('Relay', relay.name, r.error.issues[0]);
      continue;
    }
    writtenRelays.add(relay.id);
    relays.push(refFirst(r.data));
  }

  const rules: unknown[] = [];
  for (const rule of sel.rules) {
    const { id, ...rest } = rule;
    const draft: Record<string, unknown> = { ...rest };
    if ('server' in rule) {
      if (!written.has(rule.server)) {
        warnings.push(`${quoted(rule.name)} left out: its SSH server could not be exported`);
        continue;
      }
      draft.server = sel.serverRefs.get(rule.server);
    }
    if (rule.type === 'relay-expose') {
      if (!writtenRelays.has(rule.relay)) {
        warnings.push(`${quoted(rule.name)} left out: its relay could not be exported`);
        continue;
      }
      draft.relay = sel.relayRefs.get(rule.relay);
    }
    if ('socks' in rule) {
      const password = secret(rule.socks.hasPassword, 'SOCKS password', rule.name, (x) => x.socksPassword(id));
      draft.socks = { ...rule.socks, hasPassword: password !== undefined };
      if (password !== undefined) draft.socksPassword = password;
    }
    const r = parseDocRule(draft);
    if (!r.success) {
      invalid('Mapping', rule.name, r.error.issues[0]);
      continue;
    }
    // Type and name first: what a person reading the file looks for.
    const { type, name, ...fields } = r.data;
    rules.push({ type, name, ...fields });
  }
  if (missing.length > 0) warnings.push(`Secrets are not included: ${missing.join(', ')} — enter them again after importing`);

  const doc = { porthole: PORTHOLE_DOC_VERSION, exportedAt: opts.now.toISOString(), servers, relays, rules };
  const counts = { rules: rules.length, servers: servers.length, relays: relays.length };
  return { text: opts.format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : toYaml(doc, counts, opts.now, included), warnings, counts };
}

function toYaml(doc: object, counts: ExportResult['counts'], now: Date, withSecrets: boolean): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const y = new Document(doc);
  y.commentBefore = [
    ` Porthole export: ${plural(counts.rules, 'mapping', 'mappings')}, ${plural(counts.servers, 'SSH server', 'SSH servers')}, ${plural(counts.relays, 'relay', 'relays')}.`,
    ` Exported ${now.toISOString()}. Import this file into Porthole to recreate them.`,
    withSecrets ? ' Contains secrets — keep it private.' : ' No secrets: passwords, passphrases and tokens are not included.',
  ].join('\n');
  return y.toString({ lineWidth: 0 });
}
