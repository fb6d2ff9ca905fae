import { LOG_TEXT, LOG_WORDS } from '../../../../src-shared/model/log-text';

// The host's log lines by their code (src-shared/model/log-text.ts): in English exactly the text the
// host writes, so English lines read the same whether shown from the code or the message.
export const hostLog = {
  hostLog: LOG_TEXT,
  /** The host's fixed phrases inside fields (why an agent went offline, what the inspector gave up on). */
  hostLogWord: LOG_WORDS,
  /** Spans (relay-limits.ts formatSpan) and a router's description (router/gateway.ts), as the host writes them. */
  hostLogUnit: {
    ms: '{{n}} ms',
    s: '{{n}} s',
    min: '{{n}} min',
    h: '{{n}} h',
    gatewayAt: '{{what}} at {{where}}',
    /** Where a relay mapping is reachable (service/relay-tunnels.ts): `relay 203.0.113.5:9015 203.0.113.5:8080`. */
    relayAddress: 'relay {{relay}} {{address}}',
    relayPort: 'relay {{relay}} port {{port}}',
    anyAllowedPort: '(any allowed)',
  },
} as const;
