// Host log lines as a stable code plus fields (issue 18): the host writes the English line from the
// template below (what the CLI prints and what exported logs keep), and the renderer shows the same
// code in the UI language from its catalogue (`hostLog.<code>`), so a Chinese UI has no English log
// lines from these. `{{name}}` marks a field, as in the renderer's i18next catalogues; a code ending
// in `_one` / `_other` is a plural pair chosen by the `count` field.
//
// Codes are a contract between a host and the windows attached to it: rename none; add new ones (a
// window that does not know a code shows the English message the entry also carries).

import { DESKTOP_TEXT, RELAY_AGENT_TEXT, RELAY_SERVER_TEXT, ROUTER_TEXT } from './log-text-more';

export const LOG_TEXT = {
  mappingCreated: 'Created mapping "{{name}}"',
  mappingDeleted: 'Deleted mapping "{{name}}"',
  listening: 'Listening on {{address}}',
  stopped: 'Stopped',
  /** A rule's error as the engine worded it (translated by its code and pattern in the renderer). */
  ruleError: '{{error}}',
  retrying: '{{error}} — retrying in {{seconds}} s',
  reachableAt: 'Now reachable at {{address}}',
  connectionFrom: 'Connection from {{client}}',
  connectionFailed: 'Connection from {{client}} failed: {{error}}',
  connectionFailedMore: 'Connection from {{client}} failed: {{error}} (and {{suppressed}} more like it)',
  refusedNotAllowed: "Refused {{client}}: its address is not allowed by this mapping's source list",
  refusedNotAllowedMore: "Refused {{client}}: its address is not allowed by this mapping's source list (and {{suppressed}} more like it)",
  refusedMaxConnections: 'Refused {{client}}: the mapping is at its connection limit',
  refusedMaxConnectionsMore: 'Refused {{client}}: the mapping is at its connection limit (and {{suppressed}} more like it)',
  refusedMaxSessions: 'Refused {{client}}: the mapping is at its session limit',
  refusedMaxSessionsMore: 'Refused {{client}}: the mapping is at its session limit (and {{suppressed}} more like it)',
  connectionClosed: 'Closed {{client}}: {{bytesIn}} B in, {{bytesOut}} B out, {{durationMs}} ms',
  /** The rest of a second with more connection lines than a mapping logs one by one (service/line-budget.ts). */
  connectionsSummed: 'Not logged one by one (more than {{limit}} lines a second): {{opened}} more connections opened and {{closed}} closed in that second, {{bytesIn}} B in, {{bytesOut}} B out',
  /** A line a tunnel wrote itself (e.g. one HTTP request through a relay exposure): shown as it is. */
  note: '{{text}}',
  internalTransition: 'Internal: refused state change {{from}} → {{to}}',
  closedOnRequest: 'Closed connection #{{id}} on request',
  degraded: 'Degraded: the last {{failures}} connections to the target failed — {{error}}',
  recovered: 'Connections to the target succeed again',
  importApplied: 'Imported — mappings: {{rules}}, SSH servers: {{servers}}, relays: {{relays}}, replaced: {{replaced}}, skipped: {{skipped}}, switched on: {{started}}',
  importUndone: 'Undid the last import — mappings removed: {{removed}}, restored: {{restored}}, kept as imported (their old server or relay is gone): {{kept}}',
  importUndoFailed: 'Could not undo the last import: {{error}} — it can be tried again',
  storeRecovered: 'The saved mappings file was unreadable ({{reason}}); it was kept as {{movedTo}}',
  networkReconnecting_one: 'Network or power change: reconnecting {{count}} SSH/relay connection now',
  networkReconnecting_other: 'Network or power change: reconnecting {{count}} SSH/relay connections now',
  relayListeningTls: 'Relay listening on {{address}} (TLS, certificate {{fingerprint}})',
  relayListeningPlain: 'Relay listening on {{address}} (plain TCP)',
  relayAllInterfaces: 'The relay listens on all interfaces: agents (and anyone) on the network can reach it',
  relayAgentMay: 'Relay agent "{{agent}}" may ask for {{ports}}',
  relayAgentMayNothing: 'Relay agent "{{agent}}" may ask for no ports',
  relayCouldNotStart: 'Relay could not start: {{error}}',
  relayStopped: 'Relay stopped',
  relayThreadRestarting: '{{error}}. Porthole restarts it in {{seconds}} s',
  relayThreadGaveUp: '{{error}}. It stopped {{times}} times within {{window}} s, so Porthole does not restart it again — press Start to try again',
  relayTrusting: 'Relay "{{name}}": now trusting certificate {{fingerprint}}',
  /** A relay agent's own line (connection state, exposures): the relay's name, its words as they are. */
  relayLine: 'Relay "{{name}}": {{text}}',
  internalError: 'Internal error in {{method}}: {{error}}',
  /** A relay line that came in a burst (relay/burst-log.ts): the first line, then how many like it followed. */
  burstMore: '{{text}} (and {{suppressed}} more like it in the last {{span}})',
  connectionsListFailed: 'Could not list the connections: {{error}}',
  /** One HTTP exchange through an inspected relay exposure or mapping. */
  httpExchange: '{{client}} {{method}} {{path}} → {{status}} ({{durationMs}} ms)',
  httpExchangeNoResponse: '{{client}} {{method}} {{path}} → no response ({{durationMs}} ms)',
  inspectNotice: 'Inspect HTTP: {{detail}}',
  inspectGaveUp: 'Inspect HTTP: {{detail}} — this connection is no longer inspected',
  ...RELAY_SERVER_TEXT,
  ...RELAY_AGENT_TEXT,
  ...ROUTER_TEXT,
  ...DESKTOP_TEXT,
} as const;

type TextKey = keyof typeof LOG_TEXT;
type PluralBase<K> = K extends `${infer B}_one` ? B : never;
/** A log code: a template key, or the base of a plural pair. */
export type LogKey = Exclude<TextKey, `${string}_one` | `${string}_other`> | PluralBase<TextKey>;
export type LogFields = Readonly<Record<string, string | number>>;

/** Every log code, plural pairs by their base name. */
export const LOG_KEYS: readonly LogKey[] = [...new Set(Object.keys(LOG_TEXT).map((k) => k.replace(/_(one|other)$/, '')))] as LogKey[];

export function isLogKey(v: unknown): v is LogKey {
  return typeof v === 'string' && (LOG_KEYS as readonly string[]).includes(v);
}

function template(key: LogKey, fields: LogFields): string {
  const table = LOG_TEXT as Readonly<Record<string, string>>;
  const plain = table[key];
  if (plain !== undefined) return plain;
  return (fields.count === 1 ? table[`${key}_one`] : table[`${key}_other`]) ?? key;
}

/** The English line of a code (host side: the message stored, printed and exported). */
export function logText(key: LogKey, fields: LogFields = {}): string {
  return template(key, fields).replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => String(fields[name] ?? ''));
}

/**
 * A line as a code and its fields. A line that wraps another (a relay's name before its agent's own
 * line, the count after a burst) has it as `inner` and its English words as the `text` field, so a
 * window translates the inner line too and one that does not know it still shows the English.
 */
export interface LogLine {
  readonly key: LogKey;
  readonly fields: LogFields;
  readonly inner?: LogLine;
}

/**
 * A LogLine that came across a thread or process boundary (a worker's log message), rebuilt from its
 * known parts; undefined for anything else: an unknown code, a field that is not a short string or a
 * finite number, more than 32 fields, or lines nested deeper than 3.
 */
export function checkLogLine(v: unknown, depth = 0): LogLine | undefined {
  if (depth > 3 || typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!isLogKey(o.key) || typeof o.fields !== 'object' || o.fields === null || Array.isArray(o.fields)) return undefined;
  const entries = Object.entries(o.fields as Record<string, unknown>);
  if (entries.length > 32) return undefined;
  const fields: Record<string, string | number> = {};
  for (const [k, f] of entries) {
    if (typeof f === 'string' && f.length <= 65_536) fields[k] = f;
    else if (typeof f === 'number' && Number.isFinite(f)) fields[k] = f;
    else return undefined;
  }
  if (o.inner === undefined) return { key: o.key, fields };
  const inner = checkLogLine(o.inner, depth + 1);
  return inner ? { key: o.key, fields, inner } : undefined;
}

/**
 * How the engine's modules (relay, router, desktop shell) log: the English message (what the CLI prints,
 * unchanged) and the line it says, both required — so no line reaches a window without its code.
 */
export type LineLog = (level: 'info' | 'warn' | 'error', message: string, line: LogLine) => void;

/** `[message, line]` of a code, to spread into a LineLog: `log('warn', ...said('key', { … }))`. */
export function said(key: LogKey, fields: LogFields = {}, inner?: LogLine): [string, LogLine] {
  const all = inner ? { ...fields, text: logText(inner.key, inner.fields) } : fields;
  return [logText(key, all), inner ? { key, fields: all, inner } : { key, fields: all }];
}

/**
 * Words the host puts into fields (why an agent went offline, what the inspector gave up on): a window
 * shows a field whose whole value is one of these in its own language (`hostLogWord.<key>`).
 */
export const LOG_WORDS = {
  noHttp2: 'no HTTP/2 after the handshake',
  connectionClosed: 'connection closed',
  protocolError: 'protocol error',
  controlClosed: 'control stream closed',
  heartbeatTimeout: 'heartbeat timeout',
  heartbeatFailed: 'heartbeat failed',
  none: '(none)',
  on: 'on',
  off: 'off',
  peerClosedHandshake: 'the peer closed the connection during the handshake',
  notHttp: 'the traffic is not HTTP/1.x: it passes untouched and is not recorded',
  tls: 'the client speaks TLS (HTTPS): only plain HTTP/1.x can be inspected',
  http2: 'the client speaks HTTP/2: only HTTP/1.x can be inspected',
  notHttpRequest: 'the client sent something that is not an HTTP/1.x request',
  requestHeadTooLong: 'a request head was longer than the inspector reads',
  requestHeadUnreadable: 'a request head could not be read',
  requestChunkedBad: 'a chunked request body was malformed',
  requestFraming: 'a request had a Content-Length or Transfer-Encoding the inspector cannot follow',
  serverFirst: 'the server spoke first: the traffic is not HTTP/1.x; it passes untouched and is not recorded',
  serverUnasked: 'the server sent data with no request to answer',
  responseHeadTooLong: 'a response head was longer than the inspector reads',
  notHttpResponse: 'the server answered with something that is not an HTTP/1.x response',
  responseHeadUnreadable: 'a response head could not be read',
  responseChunkedBad: 'a chunked response body was malformed',
  responseLengths: 'a response had conflicting Content-Length values',
  startAtLoginRenew: 'Could not renew the start-at-login entry',
  desktopSettingsSave: 'Could not save the desktop settings (they apply until Porthole quits)',
  noTrayIcon: 'no tray icon could be created',
  noTrayHost: 'this desktop shows no tray icons (on GNOME, the AppIndicator extension adds them)',
  trayHostUnknown: 'Porthole could not tell whether this desktop shows tray icons (no session bus answer)',
  desktopApp: 'the Porthole desktop app',
  pageFailed: 'failed',
  pageGone: 'gone',
  pageDestroyed: 'destroyed',
  pageTimeout: 'timeout',
} as const;
export type LogWord = keyof typeof LOG_WORDS;
