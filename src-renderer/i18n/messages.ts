import { API_ERROR_CODES, RULE_ERROR_CODES, type ApiErrorCode, type RuleErrorCode } from '../../src-shared/model/errors';
import { en } from './locales/en';
import { language, t } from './i18n';

// Messages that reach the screen as English text: the zod schemas in src-shared (the host checks the
// same ones and answers with their messages) and the renderer's form modules, which keep English so
// that they stay plain, tested functions. The English catalogue holds those exact texts under
// `validation.*`, so the table is built from it, and a message nobody mapped is shown as it came.

/** The texts without variables; those with one are in PATTERNS. */
type PlainKey = Exclude<keyof typeof en.validation, 'bindHost' | 'portInUse' | 'portInUseBy' | 'portInUseTry' | 'portInUseStop' | 'socksPasswordMissing'>;

const byText = new Map<string, PlainKey>(
  Object.entries(en.validation)
    .filter(([, text]) => !text.includes('{{'))
    .map(([key, text]) => [text, key as PlainKey]),
);

/** `path: message` (issues the form could not put on a field) keeps the path and translates the rest. */
const PREFIXED = /^([\w.[\]-]+): (.+)$/;

/** Messages with a value in them. */
const PATTERNS: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Listening on (.+): other machines can reach the relay$/, (m) => t('validation.bindHost', { host: m[1] ?? '' })],
  [
    /^(TCP|UDP) port (\d+) on (\S+) is already in use( by Porthole itself \(another mapping or program in this process\)| by (.+) \(pid (\d+)\))? — choose another listen port(?:, e\.g\. (\d+))?$/,
    (m) =>
      t('validation.portInUse', {
        protocol: m[1] ?? '',
        port: m[2] ?? '',
        host: m[3] ?? '',
        who: !m[4] ? '' : m[5] ? t('validation.portInUseBy', { name: m[5], pid: m[6] ?? '' }) : t('validation.portInUseSelf'),
        hint: m[7] ? t('validation.portInUseTry', { port: m[7] }) : t('validation.portInUseChoose'),
      }),
  ],
  [
    /^Port (\d+) on (\S+) is already in use — choose another listen port or stop the program using it$/,
    (m) => t('validation.portInUseStop', { port: m[1] ?? '', host: m[2] ?? '' }),
  ],
  [
    /^SOCKS user (.+) has no password stored on this machine — set the password in the rule, or clear the username to allow anyone who can reach (\S+)$/,
    (m) => t('validation.socksPasswordMissing', { user: m[1] ?? '', address: m[2] ?? '' }),
  ],
];

/**
 * The engine's messages (locales/en/engine-errors.ts), each made a pattern: its text with every
 * {{field}} matching anything, anchored at both ends.
 */
const ENGINE: readonly [RegExp, keyof typeof en.engineError][] = Object.entries(en.engineError).map(([key, text]) => {
  const source = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\\\{(\w+)\\\}\\\}/g, '(?<$1>.+?)');
  return [new RegExp(`^${source}$`), key as keyof typeof en.engineError];
});

function engineMessage(message: string): string | undefined {
  for (const [re, key] of ENGINE) {
    const m = re.exec(message);
    if (!m?.groups) continue;
    const fields: Record<string, string> = { ...m.groups };
    // "5 s" / "1.5 s" (engine-error.ts formatSeconds) in the UI language.
    if (fields.duration) fields.duration = fields.duration.replace(/^(\d+(?:\.\d+)?) s$/, (_all, n: string) => t('common.seconds', { n }));
    return (t as unknown as (k: string, o: object) => string)(`engineError.${key}`, { replace: fields });
  }
  return undefined;
}

function one(message: string): string {
  const key = byText.get(message);
  if (key) return t(`validation.${key}`);
  for (const [re, fn] of PATTERNS) {
    const m = re.exec(message);
    if (m) return fn(m);
  }
  const engine = engineMessage(message);
  if (engine !== undefined) return engine;
  const m = PREFIXED.exec(message);
  if (m?.[1] && m[2]) {
    const inner = byText.get(m[2]);
    if (inner) return `${m[1]}: ${t(`validation.${inner}`)}`;
  }
  return message;
}

/** The message in the UI language where it is a known one; otherwise unchanged. */
export function translateMessage(message: string): string {
  if (language() === 'en') return message;
  // Whole first: some of the engine's messages have a '; ' of their own.
  return engineMessage(message) ?? message.split('; ').map(one).join('; ');
}

/** The host's own (English) words for where secrets are kept (src-main secret-store.ts / secret-codec.ts). */
const BACKENDS: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^file readable only by you \(secrets\.json, mode 0600\)$/, () => t('settings.secrets.backend.file')],
  [
    /^file readable only by you \(secrets\.json, mode 0600\) — this desktop has no keyring Porthole can use$/,
    () => t('settings.secrets.backend.noKeyringFile', { file: t('settings.secrets.backend.file') }),
  ],
  [
    /^memory only, until Porthole quits — this desktop has no keyring, and saving passwords in a plain file is switched off \(tray menu\)$/,
    () => t('settings.secrets.backend.memory'),
  ],
  [/^encrypted with the desktop keyring \((.+)\)$/, (m) => t('settings.secrets.backend.encryptedWithDesktop', { name: m[1] ?? '' })],
  [/^encrypted with (.+)$/, (m) => t('settings.secrets.backend.encryptedWith', { keyring: m[1] ?? '' })],
];

/** Where the host keeps secrets (AppInfo.secretsBackend, English from src-main), in the UI language where known. */
export function translateSecretsBackend(backend: string): string {
  if (language() === 'en') return backend;
  for (const [re, text] of BACKENDS) {
    const m = re.exec(backend);
    if (m) return text(m);
  }
  return backend;
}

/**
 * A rule's, server's or relay's error in the UI language: a message the table knows, translated whole;
 * otherwise, outside English, what its stable code means followed by the host's English detail.
 */
export function translateError(error: { code: string; message: string }): string {
  const whole = translateMessage(error.message);
  if (language() === 'en' || whole !== error.message) return whole;
  if (!(RULE_ERROR_CODES as readonly string[]).includes(error.code) && !(API_ERROR_CODES as readonly string[]).includes(error.code)) return error.message;
  return t('common.labelled', { label: t(`errorCode.${error.code as RuleErrorCode | ApiErrorCode}`), text: error.message });
}
