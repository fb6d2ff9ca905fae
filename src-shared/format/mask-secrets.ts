// Log lines may quote what a user or a peer typed: a URL with `user:pass@`, a query string with
// `?access_token=`, a header, a config value. Both the host (before a line is stored or echoed) and the
// renderer (before a line is shown, searched, copied or exported) run them through maskSecrets, so a
// log shared in a bug report does not carry the secret along.

export const SECRET_MASK = '****';

/** Cheap pre-check: a line without any of these cannot match a rule below (most lines). */
const MAYBE_SECRET = /pass|pwd|secret|token|key|auth|bearer|cred|:\/\/|eyJ|gh[pousr]_|github_pat_|xox[abposr]-|sk-|AKIA/i;

// Linear time, whatever the line holds. V8's regex engine backtracks, and a log line can be a megabyte
// that a stranger chose (a URL, a header, a request path), so every pattern below is written so that
// each character is looked at a bounded number of times:
//  - a variable-length run may start only where a run of its characters starts (a lookbehind refuses
//    every position inside the run), so no later start rescans what an earlier one already read;
//  - a run is taken whole, never backtracked into: `(?=(x+))\1` (a lookahead is atomic in JS, so this
//    is the atomic-group idiom), used where a shorter run could never let the rest match anyway.
// mask-secrets.test.ts checks this by timing 1 MiB adversarial lines against 64 KiB ones.

/** The end of a name whose value is a secret: `password`, `client_secret`, `x-api-key`, `relayToken`, `access_token`… */
const SECRET_NAME_END = String.raw`(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)`;

/** A URL scheme (a whole run of scheme characters with a letter in it) and its `://`; group 1 is all of it. */
const SCHEME = String.raw`(?<![a-z0-9+.-])((?=([a-z0-9+.-]*[a-z][a-z0-9+.-]*))\2:\/\/)`;

type Rule = { re: RegExp; to: string | ((match: string, ...groups: string[]) => string) } | { mask: (text: string) => string };

const hasLetterAndDigit = (s: string): boolean => /[A-Za-z]/.test(s) && /\d/.test(s);

const RULES: readonly Rule[] = [
  // A PEM private key block, or its start when the line was cut. (The header run is bounded by its own
  // dashes, and the lazy body stops at the first END line or the end: one pass.)
  { re: /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, to: `$1${SECRET_MASK}$2` },
  // Authorization: Basic dXNlcjpwYXNz / Proxy-Authorization: Bearer x — keep the scheme, hide the rest.
  {
    re: /\b((?:proxy-)?authori[sz]ation)(["']?\s*[:=]\s*["']?)(?:(basic|bearer|digest|token|negotiate|ntlm|apikey)\s+)?([^\s"',;]+)/gi,
    to: (_m, name: string, sep: string, scheme: string | undefined) => `${name}${sep}${scheme ? `${scheme} ` : ''}${SECRET_MASK}`,
  },
  { re: /\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, to: `$1 ${SECRET_MASK}` },
  // scheme://user:password@host — keep the user; a bare long token as the user is hidden too.
  { re: new RegExp(String.raw`${SCHEME}(?=([^\s/?#@:]*))\3:(?=([^\s/?#@]+))\4@`, 'gi'), to: `$1$3:${SECRET_MASK}@` },
  { re: new RegExp(String.raw`${SCHEME}(?=([A-Za-z0-9_\-.~]{20,}))\3@`, 'gi'), to: `$1${SECRET_MASK}@` },
  // name=value, name: value, "name": "value", ?name=value&… (the value up to a quote or a separator).
  // The name is a whole run of [\w.-] that ends with a secret word (checked by a lookbehind at its end).
  {
    re: new RegExp(
      String.raw`(["']?)(?<![\w.-])((?=([\w.-]+))\3)(?<=${SECRET_NAME_END})\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&"'<>)}\]]+)`,
      'gi',
    ),
    to: (_m, q: string, name: string, _run: string, sep: string, value: string) => {
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
  // Token formats that are secrets wherever they appear. JWTs first: a segment may look like another token.
  { mask: (text) => maskJwts(text) },
  { re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16})\b/g, to: SECRET_MASK },
];

/**
 * Three dot-separated base64url segments of at least 8 characters whose first starts with `eyJ` at a
 * word boundary. A regex for that alone would restart at every `eyJ` of a long `eyJ-eyJ-…` run and
 * rescan it; here each run of segment characters is read whole, once, then searched for its first `eyJ`.
 */
const JWT_RUN = /(?<![A-Za-z0-9_-])(?=([A-Za-z0-9_-]+))\1(?=\.(?=([A-Za-z0-9_-]{8,}))\2\.(?=([A-Za-z0-9_-]{8,}))\3)/g;

function maskJwts(text: string): string {
  if (!text.includes('eyJ')) return text;
  let out = '';
  let last = 0;
  JWT_RUN.lastIndex = 0;
  for (let m = JWT_RUN.exec(text); m; m = JWT_RUN.exec(text)) {
    const [, run = '', second = '', third = ''] = m;
    // The run's first character follows a non-word one (the lookbehind), so \b at 0 is the real boundary.
    const at = run.search(/\beyJ/);
    if (at < 0 || run.length - at - 3 < 8) continue;
    const end = m.index + run.length + 1 + second.length + 1 + third.length;
    out += text.slice(last, m.index + at) + SECRET_MASK;
    last = end;
    JWT_RUN.lastIndex = end;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * The text with anything that looks like a secret replaced by `****`; names, schemes and users stay so
 * the line still says what happened. Pure and idempotent; lines without a hint of a secret are returned
 * as they are (the same string).
 */
export function maskSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const rule of RULES) {
    if ('mask' in rule) {
      out = rule.mask(out);
      continue;
    }
    const { re, to } = rule;
    re.lastIndex = 0;
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to as (m: string, ...g: string[]) => string);
  }
  return out;
}
