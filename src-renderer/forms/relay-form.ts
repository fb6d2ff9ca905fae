import type { ApiIssue } from '../../src-shared/model/errors';
import { RelayDraftSchema, type Relay, type RelayInput, TOKEN_TOO_SHORT, tokenTooShort } from '../../src-shared/model/relay';

// The saved-relay dialog as strings, to and from relays.create/update input. The token is write-only:
// the form starts it empty and sends it only when typed (or '' when the person removes the stored one).

export interface RelayFormValues {
  name: string;
  host: string;
  port: string;
  agentName: string;
  /** Typed this time ('' = keep whatever is stored). */
  token: string;
  /** Remove the stored token on save. */
  clearToken: boolean;
  tls: boolean;
  /** Pinned SHA-256 fingerprint; '' = pin on first connection. */
  fingerprint: string;
  acceptAssigned: boolean;
}

export const RELAY_FIELDS = ['name', 'host', 'port', 'agentName', 'token', 'fingerprint'] as const;
export type RelayFieldKey = (typeof RELAY_FIELDS)[number];
export type RelayFieldErrors = Partial<Record<RelayFieldKey, string>>;

export const DEFAULT_RELAY_PORT = 9015;
export const TLS_OFF_WARNING = 'Without TLS the tunnel is not encrypted and the relay’s identity is not checked — use it only on a network you trust';
export const NO_TOKEN_WARNING = 'Without a token only a relay that runs without authentication accepts this agent';
export const FINGERPRINT_HINT = 'Optional. Empty: pinned on the first connection — compare it then with the one the relay shows.';

export function emptyRelayValues(): RelayFormValues {
  return { name: '', host: '', port: String(DEFAULT_RELAY_PORT), agentName: '', token: '', clearToken: false, tls: true, fingerprint: '', acceptAssigned: false };
}

export function relayValuesFrom(r: Relay): RelayFormValues {
  return {
    name: r.name,
    host: r.host,
    port: String(r.port),
    agentName: r.agentName,
    token: '',
    clearToken: false,
    tls: r.tls,
    fingerprint: r.fingerprint ?? '',
    acceptAssigned: r.acceptAssigned,
  };
}

/** Whether the relay will have a token after saving these values. */
export function tokenAfterSave(v: RelayFormValues, base?: Relay): boolean {
  return v.token !== '' || (!v.clearToken && (base?.hasToken ?? false));
}

/** The input of relays.create / relays.update. */
export function relayInputFrom(v: RelayFormValues, base?: Relay): RelayInput {
  const port = v.port.trim();
  const fingerprint = v.fingerprint.trim();
  return {
    relay: {
      name: v.name,
      host: v.host.trim(),
      port: port === '' ? DEFAULT_RELAY_PORT : Number(port),
      agentName: v.agentName,
      tls: v.tls,
      ...(fingerprint !== '' ? { fingerprint } : {}),
      hasToken: tokenAfterSave(v, base),
      acceptAssigned: v.acceptAssigned,
    },
    ...(v.token !== '' ? { token: v.token } : v.clearToken ? { token: '' } : {}),
  };
}

const PATH_TO_FIELD: Record<string, RelayFieldKey> = {
  name: 'name',
  host: 'host',
  port: 'port',
  agentName: 'agentName',
  fingerprint: 'fingerprint',
  token: 'token',
};

const FIELD_HINTS: Partial<Record<RelayFieldKey, string>> = {
  port: 'port must be between 1 and 65535',
};

/** Maps issue paths (the host's `relay.host`, or zod's `['host']`) onto fields; the first message per field wins. */
export function relayIssuesToFields(issues: readonly { path: string | readonly PropertyKey[]; message: string }[]): {
  fields: RelayFieldErrors;
  other: string[];
} {
  const fields: RelayFieldErrors = {};
  const other: string[] = [];
  for (const issue of issues) {
    const raw = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    const field = PATH_TO_FIELD[raw.replace(/^relay\./, '')];
    if (field) fields[field] ??= issue.message;
    else other.push(raw ? `${raw}: ${issue.message}` : issue.message);
  }
  return { fields, other };
}

export interface RelayFormCheck {
  errors: RelayFieldErrors;
  warnings: RelayFieldErrors;
  other: string[];
  valid: boolean;
}

export function checkRelayForm(v: RelayFormValues, base?: Relay): RelayFormCheck {
  const input = relayInputFrom(v, base);
  const parsed = RelayDraftSchema.safeParse(input.relay);
  const { fields: errors, other } = parsed.success ? { fields: {}, other: [] } : relayIssuesToFields(parsed.error.issues);
  for (const key of Object.keys(errors) as RelayFieldKey[]) {
    const hint = FIELD_HINTS[key];
    if (hint) errors[key] = hint;
  }
  // The relay (and the agent itself) refuse short tokens; say so before saving.
  if (tokenTooShort(v.token)) errors.token ??= TOKEN_TOO_SHORT;
  const warnings: RelayFieldErrors = {};
  if (!tokenAfterSave(v, base)) warnings.token = NO_TOKEN_WARNING;
  return { errors, warnings, other, valid: Object.keys(errors).length === 0 && other.length === 0 };
}

export function relayApiErrors(issues: readonly ApiIssue[], message: string): { fields: RelayFieldErrors; formError: string | null } {
  const { fields, other } = relayIssuesToFields(issues);
  const rest = other.length > 0 ? other.join('; ') : Object.keys(fields).length === 0 ? message : null;
  return { fields, formError: rest };
}
