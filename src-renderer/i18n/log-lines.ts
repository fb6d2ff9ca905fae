import { maskSecrets } from '../../src-shared/format/mask-secrets';
import type { LogEntry } from '../../src-shared/model/log';
import { isLogKey, LOG_WORDS, type LogFields, type LogLine, type LogWord } from '../../src-shared/model/log-text';
import { ROUTER_ERROR_CODES, type RouterErrorCode } from '../../src-shared/model/router';
import { language, t } from './i18n';
import { translateError, translateMessage, translateSecretsBackend } from './messages';

// A host log line in the UI language (issue 18): the line's code (src-shared/model/log-text.ts) and
// fields through the `hostLog` catalogue. English shows the host's own message (the same words);
// a line without a code, or with one this window does not know (a newer host), stays as it came.

/** `t` for a key chosen at run time: its variables are whatever fields the host sent. */
const looseT = t as unknown as (key: string, options: object) => string;

/** The fields that hold the host's own English words, translated where the message table knows them. */
const WORDS = new Set(['error']);

/** Fields whose value may be one of the host's fixed phrases (LOG_WORDS): why, what, on/off… */
const PHRASES = new Set(['error', 'why', 'detail', 'what', 'state', 'outcome', 'host', 'external']);
const PHRASE_OF = new Map<string, LogWord>(Object.entries(LOG_WORDS).map(([k, v]) => [v, k as LogWord]));

/** Spans as relay-limits.ts formatSpan writes them: `250 ms`, `1.5 s`, `2 min`, `1 h`. */
const SPAN = /^(\d+(?:\.\d+)?) (ms|s|min|h)$/;
const SPANS = new Set(['span', 'blockSpan']);

/** A router as gateway.ts describes it: `UPnP IGD at http://…`, `NAT-PMP at 192.168.1.1:5351`. */
const GATEWAY = /^(UPnP IGD|NAT-PMP|PCP) at (.+)$/;

/** Where a relay mapping listens (service/relay-tunnels.ts): `relay R PUBLIC`, or `relay R port N` before it is bound. */
const RELAY_ADDRESS = /^relay (\S+) (?:port (\d+|\(any allowed\))|(\S+))$/;

function address(value: string): string {
  const m = RELAY_ADDRESS.exec(value);
  if (!m) return value;
  const relay = m[1] ?? '';
  if (m[3]) return t('hostLogUnit.relayAddress', { relay, address: m[3] });
  return t('hostLogUnit.relayPort', { relay, port: m[2] === '(any allowed)' ? t('hostLogUnit.anyAllowedPort') : (m[2] ?? '') });
}

const isRouterCode = (c: unknown): c is RouterErrorCode => (ROUTER_ERROR_CODES as readonly unknown[]).includes(c);

function field(name: string, value: string | number, code: string | undefined): string | number {
  if (typeof value !== 'string') return value;
  const phrase = PHRASES.has(name) ? PHRASE_OF.get(value) : undefined;
  if (phrase) return t(`hostLogWord.${phrase}`);
  // A router's failure (its message is the host's English): what its code means, then the detail.
  if (WORDS.has(name) && isRouterCode(code)) {
    const whole = translateMessage(value);
    return whole !== value ? whole : t('common.labelled', { label: t(`router.error.${code}`), text: value });
  }
  if (WORDS.has(name)) return translateError({ code: code ?? '', message: value });
  const span = SPANS.has(name) ? SPAN.exec(value) : null;
  if (span) return looseT(`hostLogUnit.${span[2]}`, { n: span[1] });
  const gw = name === 'gateway' ? GATEWAY.exec(value) : null;
  if (gw) return t('hostLogUnit.gatewayAt', { what: gw[1] ?? '', where: gw[2] ?? '' });
  if (name === 'backend') return translateSecretsBackend(value);
  if (name === 'address') return address(value);
  return value;
}

/** One line and the line it wraps, in the UI language; undefined when this window does not know its code. */
function render(key: unknown, fields: LogFields | undefined, inner: LogLine | undefined, code: string | undefined): string | undefined {
  if (!isLogKey(key)) return undefined;
  const replace: Record<string, string | number> = {};
  // A line may carry the code of the error it quotes (a router's failure): it labels that error.
  const errorCode = typeof fields?.errorCode === 'string' ? fields.errorCode : code;
  for (const [name, value] of Object.entries(fields ?? {})) replace[name] = field(name, value, errorCode);
  // A wrapped line of a code this window knows replaces the English words of `text`.
  const wrapped = inner ? render(inner.key, inner.fields, inner.inner, code) : undefined;
  if (wrapped !== undefined) replace.text = wrapped;
  const count = typeof replace.count === 'number' ? { count: replace.count } : {};
  return looseT(`hostLog.${key}`, { replace, ...count });
}

export type LogLineParts = Pick<LogEntry, 'key' | 'fields' | 'code' | 'message' | 'inner'>;

export function translateLogLine(e: LogLineParts): string {
  if (language() === 'en') return e.message;
  const text = render(e.key, e.fields, e.inner, e.code);
  // Fields come from the host already masked; the words around them are the catalogue's.
  return text === undefined ? e.message : maskSecrets(text);
}

/** What the log ring shows for a line: undefined (the message as it came) in English. */
export function shownLogLine(e: LogLineParts): string | undefined {
  return language() === 'en' || !isLogKey(e.key) ? undefined : translateLogLine(e);
}
