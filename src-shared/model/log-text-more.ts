// More host log lines by code (log-text.ts has the rules): the relay server, the relay agent, the
// router and the desktop shell. Each template is exactly the English line these modules wrote before
// they had codes: `porthole relay`, `porthole agent` and exported logs print the same words.

/**
 * The relay server (src-main/relay: relay-server.ts, relay-accept.ts, relay-control.ts, relay-public.ts,
 * relay-session-life.ts, relay-data.ts, admission.ts, burst-log.ts): lines about its agents and their ports.
 */
export const RELAY_SERVER_TEXT = {
  relayListenerError: 'relay listener: {{error}}',
  relayAgentAgain: 'agent "{{agent}}" connected again from {{address}}; closing its previous session from {{previous}}',
  relayAgentNoSettings: 'agent "{{agent}}" ({{address}}) sent no HTTP/2 settings after the handshake; closing its session',
  relayAgentOnline: 'agent "{{agent}}" online from {{address}}',
  relayAgentOnlineSoftware: 'agent "{{agent}}" online from {{address}} ({{software}})',
  relayAgentDataConnections: 'agent "{{agent}}" carries TCP connections on data connections of their own',
  relayAgentBrokeProtocol: 'agent "{{agent}}" ({{address}}) broke the protocol: {{error}}; closing its session',
  relayAgentCannotOpen: 'agent "{{agent}}": cannot open {{protocol}} {{address}}: {{error}}',
  relayAgentClosedPort: 'agent "{{agent}}" closed {{protocol}} {{address}}',
  relayAgentRefused: 'agent "{{agent}}": {{error}}',
  relayAgentExposed: 'agent "{{agent}}" exposed {{protocol}} {{address}}',
  relayAgentExposedNamed: 'agent "{{agent}}" exposed {{protocol}} {{address}} ({{name}})',
  relayAgentPortError: 'agent "{{agent}}" port {{address}}: {{error}}',
  relayPublicFull: 'agent "{{agent}}" port {{address}}: refused {{client}}, {{open}} connections are open (max_connections {{max}})',
  relayHttp: '{{agent}} {{address}} {{client}} {{method}} {{path}} → {{status}} ({{durationMs}} ms)',
  relayHttpNoResponse: '{{agent}} {{address}} {{client}} {{method}} {{path}} → no response ({{durationMs}} ms)',
  relayAgentNoLocal: 'agent "{{agent}}" could not reach its local port for {{address}} ({{error}}); reset {{client}}',
  relayAgentNoLocalStatus: 'agent "{{agent}}" could not reach its local port for {{address}} (status {{status}}); reset {{client}}',
  relayAgentUdpError: 'agent "{{agent}}" udp {{address}}: {{error}}',
  relayAgentBadDatagram: 'agent "{{agent}}" sent a malformed datagram frame on {{address}}; resetting that stream',
  relayAgentMissedHeartbeat: 'agent "{{agent}}" ({{address}}) missed a heartbeat ({{deadline}} ms); dropping its session',
  relayAgentOffline: 'agent "{{agent}}" offline ({{why}})',
  relayDataPlain:
    'data connections from {{from}} are plain TCP (tls: false): public traffic crosses the network between relay and agent unencrypted — turn tls on unless that network is yours alone',
  relayBurstDropped: '{{lines}} more relay log lines like the ones above were not written in the last {{span}}',
  relayBusySource: 'refused a connection from {{peer}}: {{pending}} handshakes from {{source}} are already in progress (max_pending_per_address)',
  relayHandshakesFull: '{{pending}} handshakes in progress (max_pending_handshakes): dropped the oldest from {{source}}, which had {{most}}',
  relayHandshakeTimeout: 'closed the connection from {{peer}}: no TLS and handshake within {{span}}',
  relayBlocked: '{{failures}} failed handshakes from {{source}} in the last {{span}}; refusing it for {{blockSpan}}',
  relayTlsFailed: 'TLS with {{peer}} failed: {{error}}',
  relayHandshakeFailed: 'handshake from {{peer}} failed: {{error}}',
  relayDataRefused: 'data connection from {{peer}} refused: {{error}}',
} as const;

/**
 * The relay agent (src-main/relay: agent-dial.ts, agent-control.ts, agent-data-open.ts, agent-data-route.ts,
 * agent-data.ts; dataplane/agent-sessions.ts; relayPlaneFallback: service/relay-tunnels.ts): its own lines
 * about the relay it dials.
 */
export const RELAY_AGENT_TEXT = {
  agentPinned: 'First connection to relay {{relay}}: pinned its certificate {{fingerprint}} — compare it with the one the relay printed at start',
  agentServes: 'relay {{relay}} serves {{name}} for agent "{{agent}}"',
  agentAssignedFailed: 'relay {{relay}} could not open its {{protocol}} port {{port}} for this agent: {{error}}',
  agentProtocolError: 'relay {{relay}} broke the protocol ({{error}}); reconnecting',
  agentDataDialFailed: 'could not open a data connection to relay {{relay}} ({{error}}); its public connections use the session meanwhile',
  agentDataBroke: 'a data connection to relay {{relay}} broke before use ({{error}})',
  agentDataRefused: 'relay {{relay}} refused a data connection: {{error}}',
  agentDataCertMismatch: 'relay {{relay}} presented certificate {{seen}} on a data connection, not {{expected}} as on its control connection — closed it before sending the ticket',
  agentPlaneLost: '{{error}} — the public connections it carried for relay {{relay}} were closed',
  relayPlaneFallback:
    '{{error}}: this mapping keeps running, its public connections now carried by the main thread (slower) — restart Porthole to move them back to the data plane',
  agentDataStayMain: 'data connections stay in the main thread: {{error}}',
  agentDataPlaneRefused: "the data plane refused this session's data connections ({{error}}); they stay in the main thread",
} as const;

/** Port mappings on the home router (router/router-mappings.ts, service/relay-router.ts). */
export const ROUTER_TEXT = {
  routerLeftAlone: 'Left the {{protocol}} mapping of port {{port}} on the router alone: process {{pid}}, another Porthole using this data dir, holds it',
  routerRemovedStale: 'Removed a stale {{protocol}} mapping of port {{port}} left on the router by an earlier run',
  routerClosed: 'Closed {{protocol}} port {{port}} on the router ({{gateway}})',
  routerCloseFailed: 'Could not close port {{port}} on the router: {{error}} — it expires with its lease',
  routerReachable:
    'Reachable from the internet at {{external}} via {{method}} → {{internal}} {{protocol}} ({{gateway}}; lease {{lease}} s, renewed every {{renew}} s)',
  routerReachablePermanent: 'Reachable from the internet at {{external}} via {{method}} → {{internal}} {{protocol}} ({{gateway}}; permanent: the router does not do leases)',
  routerDoubleNat:
    "the router's own external address {{external}} is private: it is behind another router or carrier-grade NAT, so this port is reachable only from that outer network — use a relay to be reachable from the internet",
  routerError: 'Router: {{error}}',
  routerStaleRemoveFailed: 'Could not remove the stale mapping of port {{port}}: {{error}}',
  relayRouterAgentPort: 'Relay agent port: {{text}}',
  relayRouterPublic: 'Relay public {{protocol}} port {{port}}: {{text}}',
  relayRouterPublicAgent: 'Relay public {{protocol}} port {{port}} (agent "{{agent}}"): {{text}}',
  relayRouterOwner: 'Relay {{owner}}: {{text}}',
} as const;

const APPIMAGE_ADVICE = 'porthole:// links will not open Porthole — integrate the AppImage (e.g. AppImageLauncher), or import profiles from the app';

/** The desktop shell (src-main/electron): tray, start, links and files handed to the app. */
export const DESKTOP_TEXT = {
  appImageUnsafePath: `Could not register the AppImage for porthole:// links ({{error}}): ${APPIMAGE_ADVICE}`,
  appImageForeign: '{{path}} was not written by Porthole; left as it is',
  appImageWriteFailed: `Could not write {{path}} ({{error}}): ${APPIMAGE_ADVICE}`,
  appImageToolFailed: `Registering the AppImage for porthole:// links: {{command}} failed ({{error}}); ${APPIMAGE_ADVICE}`,
  appImageRegistered: 'Registered {{appImage}} as the handler of porthole:// links ({{path}})',
  protocolHandlerFailed: 'Could not register Porthole as the handler of porthole:// links',
  pageNotLoaded: "The window's page did not load ({{outcome}}); an import preview will show once it does",
  importRequestFailed: 'Import request failed: {{error}}',
  importLinkUrl: 'Import link received: {{origin}}/… (path hidden)',
  importLinkInline: 'Import link received: an inline profile of {{bytes}} bytes',
  importLinkDeclined: 'Import link declined: nothing was downloaded from {{url}}',
  notImported: 'Not imported: {{error}}',
  noKeyring: 'No OS keyring: passwords and tokens are kept in {{backend}}',
  noTrayIcon: 'No tray icon: {{error}}',
  shownAtStart: 'Showing the window although a hidden start was asked for: {{why}}',
  trayListFailed: 'Tray could not list the mappings: {{error}}',
  traySwitchFailed: 'Tray: could not switch a mapping {{state}}: {{error}}',
  trayGroupFailed: 'Tray: could not switch group "{{group}}" {{state}}: {{error}}',
  desktopSettingFailed: '{{what}}: {{error}}',
  /** A desktop switch the tray could not flip: the error says which and why. */
  desktopSwitchFailed: '{{error}}',
  controlSocketFailed: 'porthole inspect will not reach this {{host}}: its control socket could not be opened ({{error}})',
} as const;
