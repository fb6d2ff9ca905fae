import type { Relay } from '../../src-shared/model/relay';
import type { Rule } from '../../src-shared/model/rule';
import type { SshServer } from '../../src-shared/model/ssh';
import { quoted, renderSshConfig } from './export-ssh-config';
import { renderDoc } from './export-yaml';

// Exports saved rules for sharing or backup: Porthole's own document (YAML or JSON, read back by the
// importer through PortholeDocSchema) or an OpenSSH client config for the SSH tunnels. Pure: the
// caller reads the store and the secret store, and writes the file.

export interface ExportSecrets {
  sshPassword(id: string): string | undefined;
  sshPassphrase(id: string): string | undefined;
  relayToken(id: string): string | undefined;
  socksPassword(ruleId: string): string | undefined;
}

export interface ExportInput {
  rules: Rule[];
  /** All saved servers: only those the rules use (and their jump hosts) are exported. */
  servers: SshServer[];
  relays: Relay[];
  /** Only consulted when includeSecrets: secret store lookups. */
  secrets?: ExportSecrets;
}

export interface ExportOptions {
  format: 'yaml' | 'json' | 'ssh-config';
  includeSecrets?: boolean;
  now?: Date;
}

export interface ExportResult {
  fileName: string;
  text: string;
  warnings: string[];
  counts: { rules: number; servers: number; relays: number };
}

/** The rules to export with what they use, resolved; what could not be resolved is left out with a warning. */
export interface Selection {
  rules: Rule[];
  /** In dependency order: a jump host comes before the servers that jump through it. */
  servers: SshServer[];
  relays: Relay[];
  /** Readable names unique within the file (doc refs, ssh_config Host aliases), by server id. */
  serverRefs: Map<string, string>;
  relayRefs: Map<string, string>;
  warnings: string[];
}

/** A lower-case slug of `name` (a-z, 0-9, dashes), made unique among `taken` with -2, -3… */
export function uniqueSlug(name: string, fallback: string, taken: Set<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 40)
      .replace(/-+$/, '') || fallback;
  let slug = base;
  for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
  taken.add(slug);
  return slug;
}

/** Picks the servers (jump hosts first, transitively) and relays that `rules` use. */
export function selectForExport(input: ExportInput, rules: Rule[]): Selection {
  const warnings: string[] = [];
  const serverById = new Map(input.servers.map((s) => [s.id, s]));
  const relayById = new Map(input.relays.map((r) => [r.id, r]));
  const servers: SshServer[] = [];
  const relays: Relay[] = [];
  const state = new Map<string, 'busy' | 'ok' | 'bad'>();

  const addServer = (id: string): boolean => {
    const st = state.get(id);
    if (st !== undefined) return st === 'ok';
    const server = serverById.get(id);
    if (!server) return false;
    state.set(id, 'busy');
    for (const j of server.jump) {
      if (state.get(j) === 'busy') {
        warnings.push(`SSH server ${quoted(server.name)}: its jump hosts loop back to it — left out`);
      } else if (!addServer(j)) {
        if (!serverById.has(j)) warnings.push(`SSH server ${quoted(server.name)}: its jump host ${j} is not a saved server — left out`);
      } else {
        continue;
      }
      state.set(id, 'bad');
      return false;
    }
    state.set(id, 'ok');
    servers.push(server);
    return true;
  };

  const kept: Rule[] = [];
  for (const rule of rules) {
    if ('server' in rule) {
      if (!addServer(rule.server)) {
        const why = serverById.has(rule.server) ? 'its SSH server could not be exported' : `its SSH server ${rule.server} is not a saved server`;
        warnings.push(`${quoted(rule.name)} left out: ${why}`);
        continue;
      }
    } else if (rule.type === 'relay-expose') {
      const relay = relayById.get(rule.relay);
      if (!relay) {
        warnings.push(`${quoted(rule.name)} left out: its relay ${rule.relay} is not a saved relay`);
        continue;
      }
      if (!relays.includes(relay)) relays.push(relay);
    }
    kept.push(rule);
  }

  const taken = new Set<string>();
  const serverRefs = new Map(servers.map((s) => [s.id, uniqueSlug(s.name, 'server', taken)]));
  const relayRefs = new Map(relays.map((r) => [r.id, uniqueSlug(r.name, 'relay', taken)]));
  return { rules: kept, servers, relays, serverRefs, relayRefs, warnings };
}

/** The local calendar date, YYYY-MM-DD (what the person exporting sees as "today"). */
function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const SSH_TYPES = new Set<Rule['type']>(['ssh-local', 'ssh-remote', 'ssh-dynamic']);

/** Builds the export file: its suggested name, text, counts and what could not be exported as is. */
export function buildExport(input: ExportInput, opts: ExportOptions): ExportResult {
  const now = opts.now ?? new Date();
  const date = localDate(now);
  if (opts.format === 'ssh-config') {
    const ssh = input.rules.filter((r) => SSH_TYPES.has(r.type));
    const others = input.rules.filter((r) => !SSH_TYPES.has(r.type));
    const sel = selectForExport(input, ssh);
    if (others.length > 0) {
      const list = others.map((r) => `${quoted(r.name)} (${r.type})`).join(', ');
      const what = others.length === 1 ? '1 mapping is not an SSH tunnel' : `${others.length} mappings are not SSH tunnels`;
      sel.warnings.unshift(`${what}: ssh_config has no form for ${others.length === 1 ? 'it' : 'them'}; left out: ${list}`);
    }
    if (opts.includeSecrets) sel.warnings.push('ssh_config has no place for passwords, passphrases or tokens: none are written');
    const out = renderSshConfig(sel, now);
    return { fileName: `porthole-ssh-config-${date}.conf`, ...out };
  }
  const sel = selectForExport(input, input.rules);
  const out = renderDoc(sel, { format: opts.format, now, secrets: opts.includeSecrets ? (input.secrets ?? NO_SECRETS) : undefined });
  return { fileName: `porthole-export-${date}.${opts.format}`, ...out };
}

const NO_SECRETS: ExportSecrets = {
  sshPassword: () => undefined,
  sshPassphrase: () => undefined,
  relayToken: () => undefined,
  socksPassword: () => undefined,
};
