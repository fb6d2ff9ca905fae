// Host log lines as a stable code plus fields (issue 18): the host writes the English line from the
// template below (what the CLI prints and what exported logs keep), and the renderer shows the same
// code in the UI language from its catalogue (`hostLog.<code>`), so a Chinese UI has no English log
// lines from these. `{{name}}` marks a field, as in the renderer's i18next catalogues; a code ending
// in `_one` / `_other` is a plural pair chosen by the `count` field.
//
// Codes are a contract between a host and the windows attached to it: rename none; add new ones (a
// window that does not know a code shows the English message the entry also carries).

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
  /** A line a tunnel wrote itself (e.g. one HTTP request through a relay exposure): shown as it is. */
  note: '{{text}}',
  internalTransition: 'Internal: refused state change {{from}} → {{to}}',
  closedOnRequest: 'Closed connection #{{id}} on request',
  degraded: 'Degraded: the last {{failures}} connections to the target failed — {{error}}',
  recovered: 'Connections to the target succeed again',
  importApplied: 'Imported — mappings: {{rules}}, SSH servers: {{servers}}, relays: {{relays}}, replaced: {{replaced}}, skipped: {{skipped}}, switched on: {{started}}',
  importUndone: 'Undid the last import — mappings removed: {{removed}}, restored: {{restored}}',
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
  relayTrusting: 'Relay "{{name}}": now trusting certificate {{fingerprint}}',
  /** A relay agent's own line (connection state, exposures): the relay's name, its words as they are. */
  relayLine: 'Relay "{{name}}": {{text}}',
  internalError: 'Internal error in {{method}}: {{error}}',
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
