import { formatHostPort, isLoopbackHost, isWildcardHost, listenEndpointsCollide } from '../../src-shared/format/address';
import type { ApiIssue } from '../../src-shared/model/errors';
import { RuleDraftSchema, ruleListenEndpoint, type Rule, type RuleDraft } from '../../src-shared/model/rule';
import {
  optionValuesFrom,
  splitList,
  tcpOptionsFromValues,
  udpOptionsFromValues,
  type OptionValues,
} from './rule-options';

// The create/edit form as strings (what inputs hold), and its checks: the shared zod schema, then
// the listen-port collision check against the other rules. Pure, so it is unit-tested without a DOM.

export const BASIC_FIELDS = ['name', 'listenHost', 'listenPort', 'targetHost', 'targetPort'] as const;
/** The text fields of the collapsible "Advanced" section. */
export const ADVANCED_FIELDS = ['allow', 'deny', 'maxConnections', 'maxSessions', 'connectTimeout', 'idleTimeout'] as const;
export const FIELDS = [...BASIC_FIELDS, ...ADVANCED_FIELDS] as const;
export type FieldKey = (typeof FIELDS)[number];
export type AdvancedFieldKey = (typeof ADVANCED_FIELDS)[number];

/** The rule types this form edits (both are listen → target mappings). */
export type FormRuleType = 'tcp-forward' | 'udp-forward';

export interface RuleFormValues extends OptionValues {
  type: FormRuleType;
  name: string;
  listenHost: string;
  listenPort: string;
  targetHost: string;
  targetPort: string;
  enabled: boolean;
}

export type FieldErrors = Partial<Record<FieldKey, string>>;

export const WILDCARD_WARNING = 'Listening on all interfaces exposes this port to your network';

export function exposedHostWarning(host: string): string {
  return `Listening on ${host} makes this port reachable from other machines`;
}

const PATH_TO_FIELD: Record<string, FieldKey> = {
  name: 'name',
  'listen.host': 'listenHost',
  'listen.port': 'listenPort',
  'listen': 'listenPort',
  'target.host': 'targetHost',
  'target.port': 'targetPort',
  'target': 'targetPort',
  'options.allow': 'allow',
  'options.deny': 'deny',
  'options.maxConnections': 'maxConnections',
  'options.maxSessions': 'maxSessions',
  'options.connectTimeoutMs': 'connectTimeout',
  'options.idleTimeoutMs': 'idleTimeout',
};

/**
 * The schema speaks milliseconds and zod's generic range messages; the form speaks seconds. Any issue
 * on one of these fields is shown as what the field accepts.
 */
const NUMBER_HINTS: Partial<Record<FieldKey, (type: FormRuleType) => string>> = {
  maxConnections: () => 'enter a whole number from 0 (no limit) to 1000000',
  maxSessions: () => 'enter a whole number from 1 to 100000',
  connectTimeout: () => 'enter between 0.1 and 300 seconds',
  idleTimeout: (type) => (type === 'udp-forward' ? 'enter between 1 and 86400 seconds (a day)' : 'enter 0 (never) or up to 604800 seconds (7 days)'),
};

export function emptyFormValues(): RuleFormValues {
  return {
    type: 'tcp-forward',
    name: '',
    listenHost: '127.0.0.1',
    listenPort: '',
    targetHost: '',
    targetPort: '',
    enabled: true,
    ...optionValuesFrom(),
  };
}

export function formValuesFromRule(rule: Rule): RuleFormValues {
  return {
    type: rule.type,
    name: rule.name,
    listenHost: rule.listen.host,
    listenPort: String(rule.listen.port),
    targetHost: rule.target.host,
    targetPort: String(rule.target.port),
    enabled: rule.enabled,
    ...(rule.type === 'udp-forward' ? optionValuesFrom(undefined, rule.options, 'udp') : optionValuesFrom(rule.options, undefined, 'tcp')),
  };
}

/** Blank → undefined (the schema says "enter a port number"); anything else → Number (NaN fails too). */
function portValue(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** The draft sent to the host. Fields the form does not show (group, tags, notes) come from `base`. */
export function draftFromValues(v: RuleFormValues, base?: Rule): RuleDraft {
  const common = {
    name: v.name,
    enabled: v.enabled,
    autoStart: base?.autoStart ?? true,
    ...(base?.group !== undefined ? { group: base.group } : {}),
    tags: base?.tags ?? [],
    ...(base?.notes !== undefined ? { notes: base.notes } : {}),
    listen: { host: v.listenHost.trim(), port: portValue(v.listenPort) as number },
    target: { host: v.targetHost.trim(), port: portValue(v.targetPort) as number },
  };
  if (v.type === 'udp-forward') return { type: 'udp-forward', ...common, options: udpOptionsFromValues(v) };
  return { type: 'tcp-forward', ...common, options: tcpOptionsFromValues(v) };
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
      (perField[key] ??= []).push(`“${entry}”: ${issue.message}`);
    } else rest.push(issue);
  }
  for (const key of ['allow', 'deny'] as const) if (perField[key]) fields[key] = perField[key].join('; ');
  return { fields, rest };
}

/** `otherRules`: every rule but the one being edited. */
export function checkForm(v: RuleFormValues, otherRules: readonly Rule[], base?: Rule): FormCheck {
  const parsed = RuleDraftSchema.safeParse(draftFromValues(v, base));
  let errors: FieldErrors = {};
  let other: string[] = [];
  if (!parsed.success) {
    const lists = listErrors(v, parsed.error.issues);
    const mapped = issuesToFieldErrors(lists.rest);
    errors = { ...lists.fields, ...mapped.fields };
    other = mapped.other;
    for (const key of Object.keys(errors) as FieldKey[]) {
      const hint = NUMBER_HINTS[key];
      if (hint) errors[key] = hint(v.type);
    }
  }
  const warnings: Partial<Record<FieldKey, string>> = {};
  const host = v.listenHost.trim();
  const port = portValue(v.listenPort);
  if (!errors.listenHost && isWildcardHost(host)) warnings.listenHost = WILDCARD_WARNING;
  else if (!errors.listenHost && host !== '' && !isLoopbackHost(host)) warnings.listenHost = exposedHostWarning(host);
  if (!errors.listenHost && !errors.listenPort && port !== undefined) {
    // TCP and UDP listeners on the same port do not collide.
    const protocol = v.type === 'udp-forward' ? 'udp' : 'tcp';
    const clash = otherRules.find((r) => {
      const ep = ruleListenEndpoint(r);
      return ep !== undefined && ep.protocol === protocol && listenEndpointsCollide({ host, port }, ep);
    });
    const ep = clash ? ruleListenEndpoint(clash) : undefined;
    if (clash && ep) errors.listenPort = `already used by “${clash.name}” (${formatHostPort(ep.host, ep.port)}) — choose another port`;
  }
  const valid = Object.keys(errors).length === 0 && other.length === 0;
  return { errors, other, warnings, valid };
}

/** Server-side failures (ApiError issues) split the same way, e.g. CONFLICT on `listen.port`. */
export function serverIssuesToErrors(issues: readonly ApiIssue[], message: string): { fields: FieldErrors; formError: string | null } {
  const { fields, other } = issuesToFieldErrors(issues);
  const rest = other.length > 0 ? other.join('; ') : Object.keys(fields).length === 0 ? message : null;
  return { fields, formError: rest };
}
