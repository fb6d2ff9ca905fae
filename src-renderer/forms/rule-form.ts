import { formatHostPort, isLoopbackHost, isWildcardHost, listenEndpointsCollide } from '../../src-shared/format/address';
import type { ApiIssue } from '../../src-shared/model/errors';
import { DEFAULT_MAX_BODY_BYTES } from '../../src-shared/model/inspector';
import { RuleDraftSchema, ruleListenEndpoint, type Rule, type RuleDraft, type RuleType } from '../../src-shared/model/rule';
import { t } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
import { optionValuesFrom, secondsToMs, splitList, switchOptionType, tcpOptionsFromValues, udpOptionsFromValues, type OptionValues } from './rule-options';
import { ROUTER_PORT_HINT, routerDraft, routerValuesFrom, type RouterFormValues } from './rule-router';
import { typeShape } from './rule-types';
import { socksPasswordError } from './socks-password';
import { formatTags, parseTags } from './tags';

// The create/edit form as strings (what inputs hold), and its checks: the shared zod schema, then
// the listen-port collision check against the other rules. Pure, so it is unit-tested without a DOM.
// Messages are English texts that validation.* holds (the view shows them through translateMessage);
// the few with a value in them (editors.ruleForm.*) are made with t() when produced, in the UI language.

export const BASIC_FIELDS = ['name', 'server', 'relay', 'listenHost', 'listenPort', 'remoteHost', 'remotePort', 'targetHost', 'targetPort', 'socksUser', 'socksPassword', 'routerExternalPort', 'group', 'tags'] as const;
/** The text fields of the collapsible "Advanced" section. */
export const ADVANCED_FIELDS = ['allow', 'deny', 'maxConnections', 'maxSessions', 'connectTimeout', 'idleTimeout'] as const;
export const FIELDS = [...BASIC_FIELDS, ...ADVANCED_FIELDS] as const;
export type FieldKey = (typeof FIELDS)[number];
export type AdvancedFieldKey = (typeof ADVANCED_FIELDS)[number];
export type FormRuleType = RuleType;

export interface RuleFormValues extends OptionValues, RouterFormValues {
  type: RuleType;
  name: string;
  /** Id of the saved SSH server ('' = none chosen yet). */
  server: string;
  listenHost: string;
  listenPort: string;
  /** ssh-remote: where the SSH server listens. */
  remoteHost: string;
  remotePort: string;
  targetHost: string;
  targetPort: string;
  /** SOCKS username ('' = no authentication). */
  socksUser: string;
  /** SOCKS password typed this time; write-only, never filled from a rule ('' = keep the stored one). */
  socksPassword: string;
  /** relay-expose: id of the saved relay ('' = none chosen yet). Its public port is `remotePort` ('' = any allowed). */
  relay: string;
  relayProtocol: 'tcp' | 'udp';
  /** relay-expose over TCP: log and inspect each HTTP request (kind `http`). */
  httpLog: boolean;
  /** tcp-forward and ssh-local: "Inspect HTTP" (record each request and response). */
  inspectHttp: boolean;
  enabled: boolean;
  /** Free text ('' = no group). */
  group: string;
  /** Comma-separated. */
  tags: string;
}

export type FieldErrors = Partial<Record<FieldKey, string>>;

export const WILDCARD_WARNING = 'Listening on all interfaces exposes this port to your network';
export const CHOOSE_SERVER = 'choose an SSH server';
export const REMOTE_PORT_HINT = 'enter a port from 0 to 65535 (0 = let the server choose)';
export const CHOOSE_RELAY = 'choose a relay';
export const RELAY_PORT_HINT = 'enter a port from 1 to 65535, or leave it empty (or 0) for any port the relay allows';

export function exposedHostWarning(host: string): string {
  return t('editors.ruleForm.exposedHost', { host });
}

export function remoteExposedWarning(host: string): string {
  return t('editors.ruleForm.remoteExposed', { host });
}

const PATH_TO_FIELD: Record<string, FieldKey> = {
  name: 'name',
  server: 'server',
  relay: 'relay',
  remotePort: 'remotePort',
  'listen.host': 'listenHost',
  'listen.port': 'listenPort',
  listen: 'listenPort',
  'remote.host': 'remoteHost',
  'remote.port': 'remotePort',
  remote: 'remotePort',
  'target.host': 'targetHost',
  'target.port': 'targetPort',
  target: 'targetPort',
  'socks.username': 'socksUser',
  group: 'group',
  tags: 'tags',
  'socks.connectTimeoutMs': 'connectTimeout',
  'options.allow': 'allow',
  'options.deny': 'deny',
  'options.maxConnections': 'maxConnections',
  'options.maxSessions': 'maxSessions',
  'options.connectTimeoutMs': 'connectTimeout',
  'options.idleTimeoutMs': 'idleTimeout',
  'router.externalPort': 'routerExternalPort',
  router: 'routerExternalPort',
};

/**
 * The schema speaks milliseconds and zod's generic messages; the form speaks seconds. Any issue on
 * one of these fields is shown as what the field accepts.
 */
const FIELD_HINTS: Partial<Record<FieldKey, (type: RuleType) => string>> = {
  server: () => CHOOSE_SERVER,
  relay: () => CHOOSE_RELAY,
  group: () => 'a group name is at most 60 characters',
  tags: () => 'at most 20 tags, each of 1 to 30 characters',
  remotePort: (type) => (type === 'relay-expose' ? RELAY_PORT_HINT : REMOTE_PORT_HINT),
  routerExternalPort: () => ROUTER_PORT_HINT,
  maxConnections: () => 'enter a whole number from 0 (no limit) to 1000000',
  maxSessions: () => 'enter a whole number from 1 to 100000',
  connectTimeout: () => 'enter between 0.1 and 300 seconds',
  idleTimeout: (type) => (type === 'udp-forward' ? 'enter between 1 and 86400 seconds (a day)' : 'enter 0 (never) or up to 604800 seconds (7 days)'),
};

export function emptyFormValues(): RuleFormValues {
  return {
    type: 'tcp-forward',
    name: '',
    server: '',
    listenHost: '127.0.0.1',
    listenPort: '',
    remoteHost: '127.0.0.1',
    remotePort: '',
    targetHost: '',
    targetPort: '',
    socksUser: '',
    socksPassword: '',
    relay: '',
    relayProtocol: 'tcp',
    httpLog: false,
    inspectHttp: false,
    enabled: true,
    group: '',
    tags: '',
    ...optionValuesFrom(),
    ...routerValuesFrom(),
  };
}

export function formValuesFromRule(rule: Rule): RuleFormValues {
  const v: RuleFormValues = { ...emptyFormValues(), type: rule.type, name: rule.name, enabled: rule.enabled, group: rule.group ?? '', tags: formatTags(rule.tags), ...routerValuesFrom(rule) };
  if ('server' in rule) v.server = rule.server;
  if ('listen' in rule) Object.assign(v, { listenHost: rule.listen.host, listenPort: String(rule.listen.port) });
  if ('target' in rule) Object.assign(v, { targetHost: rule.target.host, targetPort: String(rule.target.port) });
  switch (rule.type) {
    case 'tcp-forward':
      return { ...v, ...optionValuesFrom(rule.options, undefined, 'tcp'), inspectHttp: rule.inspect?.enabled ?? false };
    case 'udp-forward':
      return { ...v, ...optionValuesFrom(undefined, rule.options, 'udp') };
    case 'ssh-remote':
      return { ...v, remoteHost: rule.remote.host, remotePort: String(rule.remote.port) };
    case 'ssh-dynamic':
    case 'socks':
      return { ...v, socksUser: rule.socks.username ?? '', connectTimeout: String(rule.socks.connectTimeoutMs / 1000) };
    case 'ssh-local':
      return { ...v, inspectHttp: rule.inspect?.enabled ?? false };
    case 'relay-expose':
      return {
        ...v,
        relay: rule.relay,
        remotePort: rule.remotePort === 0 ? '' : String(rule.remotePort),
        relayProtocol: rule.protocol,
        httpLog: rule.kind === 'http',
      };
  }
}

/**
 * The type select changed. TCP ↔ UDP option defaults follow (see switchOptionType); a relay exposes a
 * service of this machine, so its target starts at 127.0.0.1.
 */
export function switchRuleType(v: RuleFormValues, next: RuleType): RuleFormValues {
  if (v.type === next) return v;
  const switched = { ...switchOptionType(v, next === 'udp-forward' ? 'udp' : 'tcp'), type: next };
  return next === 'relay-expose' && v.targetHost.trim() === '' ? { ...switched, targetHost: '127.0.0.1' } : switched;
}

/** Blank → undefined (the schema says "enter a port number"); anything else → Number (NaN fails too). */
function portValue(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

function endpoint(host: string, port: string): { host: string; port: number } {
  return { host: host.trim(), port: portValue(port) as number };
}

/** The draft sent to the host. Fields the form does not show (auto-start, notes, SOCKS password flag) come from `base`. */
export function draftFromValues(v: RuleFormValues, base?: Rule): RuleDraft {
  const group = v.group.trim();
  const common = {
    name: v.name,
    enabled: v.enabled,
    autoStart: base?.autoStart ?? true,
    ...(group !== '' ? { group } : {}),
    tags: parseTags(v.tags),
    ...(base?.notes !== undefined ? { notes: base.notes } : {}),
  };
  const listen = endpoint(v.listenHost, v.listenPort);
  const target = endpoint(v.targetHost, v.targetPort);
  const server = v.server;
  const user = v.socksUser.trim();
  const timeout = secondsToMs(v.connectTimeout);
  const socks = {
    ...(user !== '' ? { username: user } : {}),
    hasPassword: base && 'socks' in base ? base.socks.hasPassword : false,
    ...(timeout !== undefined ? { connectTimeoutMs: timeout } : {}),
  };
  // "Inspect HTTP" keeps the body limit the rule had; left out for a rule that never had it on.
  const baseInspect = base && 'inspect' in base ? base.inspect : undefined;
  const inspect = v.inspectHttp || baseInspect ? { inspect: { enabled: v.inspectHttp, maxBodyBytes: baseInspect?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES } } : {};
  // "Open on router" (tcp, udp, socks): left out for a rule that never had it.
  const routerOption = routerDraft(v, base);
  const router = routerOption ? { router: routerOption } : {};
  switch (v.type) {
    case 'tcp-forward':
      return { type: v.type, ...common, listen, target, options: tcpOptionsFromValues(v), ...router, ...inspect };
    case 'udp-forward':
      return { type: v.type, ...common, listen, target, options: udpOptionsFromValues(v), ...router };
    case 'ssh-local':
      return { type: v.type, ...common, server, listen, target, ...inspect };
    case 'ssh-remote':
      return { type: v.type, ...common, server, remote: { host: v.remoteHost.trim() || '127.0.0.1', port: portValue(v.remotePort) as number }, target };
    case 'ssh-dynamic':
      return { type: v.type, ...common, server, listen, socks };
    case 'socks':
      return { type: v.type, ...common, listen, socks, ...router };
    case 'relay-expose':
      return {
        type: v.type,
        ...common,
        relay: v.relay,
        target,
        // Blank = 0 = any port the relay's policy allows.
        remotePort: portValue(v.remotePort) ?? 0,
        protocol: v.relayProtocol,
        // The schema refuses HTTP logging over UDP; the checkbox is off for UDP, whatever it held.
        kind: v.relayProtocol === 'tcp' && v.httpLog ? 'http' : 'tcp',
        ...(baseInspect ? { inspect: baseInspect } : {}),
      };
  }
}

/** Maps issue paths (`listen.port`, or zod's `['listen','port']`) onto form fields; the first message per field wins. */
export function issuesToFieldErrors(issues: readonly { path: string | readonly PropertyKey[]; message: string }[]): {
  fields: FieldErrors;
  other: string[];
} {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const issue of issues) {
    const path = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    // A list entry (`options.allow.3`) belongs to its list's field.
    const field = PATH_TO_FIELD[path] ?? PATH_TO_FIELD[path.replace(/\.\d+$/, '')];
    if (field) fields[field] ??= issue.message;
    else other.push(path ? `${path}: ${issue.message}` : issue.message);
  }
  return { fields, other };
}

export interface FormCheck {
  errors: FieldErrors;
  /** Issues that belong to no visible field. */
  other: string[];
  warnings: Partial<Record<FieldKey, string>>;
  valid: boolean;
}

type Issue = { path: readonly PropertyKey[]; message: string };

/** Allow/deny: one message per bad entry, naming it (`"300.1.1.1/8": not an IP address…`). */
function listErrors(v: RuleFormValues, issues: readonly Issue[]): { fields: FieldErrors; rest: Issue[] } {
  const fields: FieldErrors = {};
  const rest: Issue[] = [];
  const perField: Partial<Record<'allow' | 'deny', string[]>> = {};
  for (const issue of issues) {
    const [head, key, index] = issue.path;
    if (head === 'options' && (key === 'allow' || key === 'deny') && typeof index === 'number') {
      const entry = splitList(v[key])[index] ?? '';
      (perField[key] ??= []).push(t('editors.ruleForm.listEntry', { entry, message: translateMessage(issue.message) }));
    } else rest.push(issue);
  }
  for (const key of ['allow', 'deny'] as const) if (perField[key]) fields[key] = perField[key].join('; ');
  return { fields, rest };
}

function listenWarningsAndClash(v: RuleFormValues, otherRules: readonly Rule[], errors: FieldErrors, warnings: Partial<Record<FieldKey, string>>): void {
  const host = v.listenHost.trim();
  const port = portValue(v.listenPort);
  if (!errors.listenHost && isWildcardHost(host)) warnings.listenHost = WILDCARD_WARNING;
  else if (!errors.listenHost && host !== '' && !isLoopbackHost(host)) warnings.listenHost = exposedHostWarning(host);
  if (errors.listenHost || errors.listenPort || port === undefined) return;
  // TCP and UDP listeners on the same port do not collide.
  const protocol = v.type === 'udp-forward' ? 'udp' : 'tcp';
  for (const r of otherRules) {
    const ep = ruleListenEndpoint(r);
    if (ep && ep.protocol === protocol && listenEndpointsCollide({ host, port }, ep)) {
      errors.listenPort = t('editors.ruleForm.portInUse', { name: r.name, address: formatHostPort(ep.host, ep.port) });
      return;
    }
  }
}

/**
 * `otherRules`: every rule but the one being edited. `serverIds` / `relayIds`: the saved SSH servers
 * and relays, when known — a chosen one not among them is an error.
 */
export function checkForm(v: RuleFormValues, otherRules: readonly Rule[], base?: Rule, serverIds?: ReadonlySet<string>, relayIds?: ReadonlySet<string>): FormCheck {
  const parsed = RuleDraftSchema.safeParse(draftFromValues(v, base));
  const shape = typeShape(v.type);
  let errors: FieldErrors = {};
  let other: string[] = [];
  if (!parsed.success) {
    const lists = listErrors(v, parsed.error.issues);
    const mapped = issuesToFieldErrors(lists.rest);
    errors = { ...lists.fields, ...mapped.fields };
    other = mapped.other;
    for (const key of Object.keys(errors) as FieldKey[]) {
      const hint = FIELD_HINTS[key];
      if (hint) errors[key] = hint(v.type);
    }
  }
  if (shape.server && !errors.server && serverIds && !serverIds.has(v.server)) errors.server = CHOOSE_SERVER;
  if (shape.relay && !errors.relay && relayIds && !relayIds.has(v.relay)) errors.relay = CHOOSE_RELAY;
  const socksPassword = shape.socks ? socksPasswordError(v, base) : undefined;
  if (socksPassword) errors.socksPassword = socksPassword;
  const warnings: Partial<Record<FieldKey, string>> = {};
  if (shape.listen) listenWarningsAndClash(v, otherRules, errors, warnings);
  const remoteHost = v.remoteHost.trim();
  if (shape.remote && !errors.remoteHost && remoteHost !== '' && !isLoopbackHost(remoteHost)) warnings.remoteHost = remoteExposedWarning(remoteHost);
  const valid = Object.keys(errors).length === 0 && other.length === 0;
  return { errors, other, warnings, valid };
}

/** Server-side failures (ApiError issues) split the same way, e.g. CONFLICT on `listen.port`. */
export function serverIssuesToErrors(issues: readonly ApiIssue[], message: string): { fields: FieldErrors; formError: string | null } {
  const { fields, other } = issuesToFieldErrors(issues);
  const rest = other.length > 0 ? other.join('; ') : Object.keys(fields).length === 0 ? message : null;
  return { fields, formError: rest };
}
