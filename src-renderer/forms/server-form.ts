import type { ApiIssue } from '../../src-shared/model/errors';
import { SshServerDraftSchema, type HostKeyPolicy, type SshServer, type SshServerInput } from '../../src-shared/model/ssh';
import { t } from '../i18n/i18n';
import { msToSeconds, secondsToMs } from './rule-options';

// The SSH server dialog as strings, to and from servers.create/update input. Secrets are write-only:
// the form starts them empty, and a secret is sent only when the user typed one.

export type AuthMethod = SshServer['auth']['method'];

// Labels are read from the catalogue each time (getters), so they follow the UI language.
const authMethod = (value: AuthMethod) => ({
  value,
  get label() {
    return t(`serverDialog.authMethod.${value}`);
  },
});
const hostKeyPolicy = (value: HostKeyPolicy) => ({
  value,
  get label() {
    return t(`serverDialog.policy.${value}`);
  },
});

export const AUTH_METHODS: readonly { value: AuthMethod; label: string }[] = [authMethod('agent'), authMethod('key'), authMethod('password')];

export const HOST_KEY_POLICIES: readonly { value: HostKeyPolicy; label: string }[] = [
  hostKeyPolicy('ask'),
  hostKeyPolicy('accept-new'),
  hostKeyPolicy('strict'),
  hostKeyPolicy('off'),
];

export const HOST_KEY_OFF_WARNING = 'Off accepts any key: anyone in the path can impersonate this server';
export const UNCHANGED_PLACEHOLDER = 'unchanged';

export interface ServerFormValues {
  name: string;
  host: string;
  port: string;
  user: string;
  auth: AuthMethod;
  keyPath: string;
  /** Typed by the user this time ('' = keep whatever is stored). */
  passphrase: string;
  password: string;
  /** Jump host ids, in the order they are traversed. */
  jump: string[];
  /** Seconds; 0 = off. */
  keepalive: string;
  hostKeyPolicy: HostKeyPolicy;
}

export const SERVER_FIELDS = ['name', 'host', 'port', 'user', 'keyPath', 'passphrase', 'password', 'jump', 'keepalive'] as const;
export type ServerFieldKey = (typeof SERVER_FIELDS)[number];
export type ServerFieldErrors = Partial<Record<ServerFieldKey, string>>;

export function isAuthMethod(v: string): v is AuthMethod {
  return AUTH_METHODS.some((m) => m.value === v);
}

export function isHostKeyPolicy(v: string): v is HostKeyPolicy {
  return HOST_KEY_POLICIES.some((p) => p.value === v);
}

export function emptyServerValues(): ServerFormValues {
  return { name: '', host: '', port: '22', user: '', auth: 'agent', keyPath: '', passphrase: '', password: '', jump: [], keepalive: '15', hostKeyPolicy: 'ask' };
}

export function serverValuesFrom(s: SshServer): ServerFormValues {
  return {
    name: s.name,
    host: s.host,
    port: String(s.port),
    user: s.user,
    auth: s.auth.method,
    keyPath: s.auth.method === 'key' ? s.auth.keyPath : '',
    passphrase: '',
    password: '',
    jump: [...s.jump],
    keepalive: msToSeconds(s.keepaliveIntervalMs),
    hostKeyPolicy: s.hostKeyPolicy,
  };
}

/** Whether a secret of this kind is already stored for `base` (then the field says "unchanged"). */
export function storedSecret(base: SshServer | undefined, kind: 'password' | 'passphrase'): boolean {
  if (!base) return false;
  if (kind === 'password') return base.auth.method === 'password' && base.auth.hasPassword;
  return base.auth.method === 'key' && base.auth.hasPassphrase;
}

function numberValue(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** The input of servers.create / servers.update. Fields the form does not show come from `base`. */
export function serverInputFrom(v: ServerFormValues, base?: SshServer): SshServerInput {
  const auth =
    v.auth === 'key'
      ? { method: 'key' as const, keyPath: v.keyPath.trim(), hasPassphrase: v.passphrase !== '' || storedSecret(base, 'passphrase') }
      : v.auth === 'password'
        ? { method: 'password' as const, hasPassword: v.password !== '' || storedSecret(base, 'password') }
        : // An imported IdentityAgent / agent key (not shown in the form) is kept as it was.
          base?.auth.method === 'agent'
          ? base.auth
          : { method: 'agent' as const };
  const keepalive = secondsToMs(v.keepalive);
  return {
    server: {
      name: v.name,
      host: v.host.trim(),
      port: numberValue(v.port) as number,
      user: v.user.trim(),
      auth,
      jump: v.jump,
      ...(keepalive !== undefined ? { keepaliveIntervalMs: keepalive } : {}),
      ...(base ? { keepaliveCountMax: base.keepaliveCountMax } : {}),
      hostKeyPolicy: v.hostKeyPolicy,
      ...(base?.knownHostsFile !== undefined ? { knownHostsFile: base.knownHostsFile } : {}),
    },
    ...(v.auth === 'password' && v.password !== '' ? { password: v.password } : {}),
    ...(v.auth === 'key' && v.passphrase !== '' ? { passphrase: v.passphrase } : {}),
  };
}

const PATH_TO_FIELD: Record<string, ServerFieldKey> = {
  name: 'name',
  host: 'host',
  port: 'port',
  user: 'user',
  'auth.keyPath': 'keyPath',
  jump: 'jump',
  keepaliveIntervalMs: 'keepalive',
  password: 'password',
  passphrase: 'passphrase',
};

const FIELD_HINTS: Partial<Record<ServerFieldKey, string>> = {
  port: 'port must be between 1 and 65535',
  keepalive: 'enter 0 (off) to 600 seconds',
};

/** Maps issue paths (the host's `server.host`, or zod's `['host']`) onto fields; the first message per field wins. */
export function serverIssuesToFields(issues: readonly { path: string | readonly PropertyKey[]; message: string }[]): {
  fields: ServerFieldErrors;
  other: string[];
} {
  const fields: ServerFieldErrors = {};
  const other: string[] = [];
  for (const issue of issues) {
    const raw = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    const path = raw.replace(/^server\./, '');
    const field = PATH_TO_FIELD[path] ?? PATH_TO_FIELD[path.replace(/\.\d+$/, '')];
    if (field) fields[field] ??= issue.message;
    else other.push(raw ? `${raw}: ${issue.message}` : issue.message);
  }
  return { fields, other };
}

export interface ServerFormCheck {
  errors: ServerFieldErrors;
  other: string[];
  valid: boolean;
}

export function checkServerForm(v: ServerFormValues, base?: SshServer): ServerFormCheck {
  const input = serverInputFrom(v, base);
  const parsed = SshServerDraftSchema.safeParse(input.server);
  const { fields: errors, other } = parsed.success ? { fields: {}, other: [] } : serverIssuesToFields(parsed.error.issues);
  for (const key of Object.keys(errors) as ServerFieldKey[]) {
    const hint = FIELD_HINTS[key];
    if (hint) errors[key] = hint;
  }
  if (v.auth === 'password' && v.password === '' && !storedSecret(base, 'password')) errors.password = 'enter the password';
  return { errors, other, valid: Object.keys(errors).length === 0 && other.length === 0 };
}

export function serverApiErrors(issues: readonly ApiIssue[], message: string): { fields: ServerFieldErrors; formError: string | null } {
  const { fields, other } = serverIssuesToFields(issues);
  const rest = other.length > 0 ? other.join('; ') : Object.keys(fields).length === 0 ? message : null;
  return { fields, formError: rest };
}

/**
 * Servers that may be jump hosts of `selfId`: not itself, and not one whose own jump chain passes
 * through it (that would loop).
 */
export function jumpCandidates(servers: readonly SshServer[], selfId: string | undefined): SshServer[] {
  if (selfId === undefined) return [...servers];
  const byId = new Map(servers.map((s) => [s.id, s]));
  const reaches = (id: string, seen: Set<string>): boolean => {
    if (id === selfId) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return (byId.get(id)?.jump ?? []).some((j) => reaches(j, seen));
  };
  return servers.filter((s) => s.id !== selfId && !reaches(s.id, new Set()));
}

/** Checking appends to the chain; unchecking removes it, keeping the order of the rest. */
export function toggleJump(jump: readonly string[], id: string, on: boolean): string[] {
  if (on) return jump.includes(id) ? [...jump] : [...jump, id];
  return jump.filter((j) => j !== id);
}

/** Moves one hop earlier (-1) or later (+1) in the chain. */
export function moveJump(jump: readonly string[], id: string, by: -1 | 1): string[] {
  const i = jump.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= jump.length) return [...jump];
  const next = [...jump];
  [next[i], next[j]] = [next[j] as string, next[i] as string];
  return next;
}
