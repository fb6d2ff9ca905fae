import { formatHostPort, isWildcardHost, listenEndpointsCollide } from '../../src-shared/format/address';
import type { ApiIssue } from '../../src-shared/model/errors';
import { RuleDraftSchema, ruleListenEndpoint, type Rule, type RuleDraft } from '../../src-shared/model/rule';

// The create/edit form as strings (what inputs hold), and its checks: the shared zod schema, then
// the listen-port collision check against the other rules. Pure, so it is unit-tested without a DOM.

export const FIELDS = ['name', 'listenHost', 'listenPort', 'targetHost', 'targetPort'] as const;
export type FieldKey = (typeof FIELDS)[number];

/** The rule types this form edits (both are listen → target mappings). */
export type FormRuleType = 'tcp-forward' | 'udp-forward';

export interface RuleFormValues {
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

const PATH_TO_FIELD: Record<string, FieldKey> = {
  name: 'name',
  'listen.host': 'listenHost',
  'listen.port': 'listenPort',
  'listen': 'listenPort',
  'target.host': 'targetHost',
  'target.port': 'targetPort',
  'target': 'targetPort',
};

export function emptyFormValues(): RuleFormValues {
  return { type: 'tcp-forward', name: '', listenHost: '127.0.0.1', listenPort: '', targetHost: '', targetPort: '', enabled: true };
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
  // Options (allow/deny, timeouts…) have no fields here yet: keep the saved ones unless the type changed.
  if (v.type === 'udp-forward') {
    return { type: 'udp-forward', ...common, ...(base?.type === 'udp-forward' ? { options: base.options } : {}) };
  }
  return { type: 'tcp-forward', ...common, ...(base?.type === 'tcp-forward' ? { options: base.options } : {}) };
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
    const field = PATH_TO_FIELD[path];
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

/** `otherRules`: every rule but the one being edited. */
export function checkForm(v: RuleFormValues, otherRules: readonly Rule[], base?: Rule): FormCheck {
  const parsed = RuleDraftSchema.safeParse(draftFromValues(v, base));
  const { fields: errors, other } = parsed.success ? { fields: {}, other: [] } : issuesToFieldErrors(parsed.error.issues);
  const warnings: Partial<Record<FieldKey, string>> = {};
  const host = v.listenHost.trim();
  const port = portValue(v.listenPort);
  if (!errors.listenHost && isWildcardHost(host)) warnings.listenHost = WILDCARD_WARNING;
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
