// Log lines may quote what a user or a peer typed: a URL with `user:pass@`, a query string with
// `?access_token=`, a header, a config value. Both the host (before a line is stored or echoed) and the
// renderer (before a line is shown, searched, copied or exported) run them through maskSecrets, so a
// log shared in a bug report does not carry the secret along.

export const SECRET_MASK = '****';

/** Cheap pre-check: a line without any of these cannot match a rule below (most lines). */
const MAYBE_SECRET = /pass|pwd|secret|token|key|auth|bearer|cred|:\/\/|eyJ|gh[pousr]_|github_pat_|xox[abposr]-|sk-|AKIA/i;

/** Names whose value is a secret: `password`, `client_secret`, `x-api-key`, `relayToken`, `access_token`… */
const SECRET_NAME = String.raw`[\w.-]*?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)`;

type Rule = { re: RegExp; to: string | ((match: string, ...groups: string[]) => string) };

const hasLetterAndDigit = (s: string): boolean => /[A-Za-z]/.test(s) && /\d/.test(s);

const RULES: readonly Rule[] = [
  // A PEM private key block, or its start when the line was cut.
  { re: /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, to: `$1${SECRET_MASK}$2` },
  // Authorization: Basic dXNlcjpwYXNz / Proxy-Authorization: Bearer x — keep the scheme, hide the rest.
  {
    re: /\b((?:proxy-)?authori[sz]ation)(["']?\s*[:=]\s*["']?)(?:(basic|bearer|digest|token|negotiate|ntlm|apikey)\s+)?([^\s"',;]+)/gi,
    to: (_m, name: string, sep: string, scheme: string | undefined) => `${name}${sep}${scheme ? `${scheme} ` : ''}${SECRET_MASK}`,
  },
  { re: /\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, to: `$1 ${SECRET_MASK}` },
  // scheme://user:password@host — keep the user; a bare long token as the user is hidden too.
  { re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]+)@/gi, to: `$1$2:${SECRET_MASK}@` },
  { re: /\b([a-z][a-z0-9+.-]*:\/\/)([A-Za-z0-9_\-.~]{20,})@/gi, to: `$1${SECRET_MASK}@` },
  // name=value, name: value, "name": "value", ?name=value&… (the value up to a quote or a separator).
  {
    re: new RegExp(String.raw`(["']?)\b(${SECRET_NAME})\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&"'<>)}\]]+)`, 'gi'),
    to: (_m, q: string, name: string, sep: string, value: string) => {
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
      return `${q}${name}${q}${sep}${quote}${SECRET_MASK}${quote}`;
    },
  },
  // --password hunter2 (a command line quoted in a message).
  { re: /(?<![\w-])(--?(?:password|passphrase|pass|token|secret|api-key))(\s+)(?!-)(\S+)/gi, to: `$1$2${SECRET_MASK}` },
  // "token 9f8e7d6c5b4a39281706f5e4d3c2b1a0": a long base64-like value right after a key word.
  {
    re: /\b(token|secret|password|passphrase|api[_-]?key|key)(\s+)([A-Za-z0-9+/_-]{20,}={0,2})(?![\w+/=-])/gi,
    to: (m, word: string, space: string, value: string) => (hasLetterAndDigit(value) ? `${word}${space}${SECRET_MASK}` : m),
  },
  // Token formats that are secrets wherever they appear.
  { re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, to: SECRET_MASK },
  { re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16})\b/g, to: SECRET_MASK },
];

/**
 * The text with anything that looks like a secret replaced by `****`; names, schemes and users stay so
 * the line still says what happened. Pure and idempotent; lines without a hint of a secret are returned
 * as they are (the same string).
 */
export function maskSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const { re, to } of RULES) {
    re.lastIndex = 0;
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to as (m: string, ...g: string[]) => string);
  }
  return out;
}
