import { en } from './locales/en';
import { language, t } from './i18n';

// Messages that reach the screen as English text: the zod schemas in src-shared (the host checks the
// same ones and answers with their messages) and the renderer's form modules, which keep English so
// that they stay plain, tested functions. The English catalogue holds those exact texts under
// `validation.*`, so the table is built from it, and a message nobody mapped is shown as it came.

/** The texts without variables; those with one are in PATTERNS. */
type PlainKey = Exclude<keyof typeof en.validation, 'bindHost'>;

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
];

function one(message: string): string {
  const key = byText.get(message);
  if (key) return t(`validation.${key}`);
  for (const [re, fn] of PATTERNS) {
    const m = re.exec(message);
    if (m) return fn(m);
  }
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
  return message.split('; ').map(one).join('; ');
}
