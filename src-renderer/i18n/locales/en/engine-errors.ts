// What the host's engine says about a connection or a listener (src-main/engine/engine-error.ts), word
// for word: i18n/messages.ts turns each text into a pattern ({{x}} matches anything) to recognise the
// host's English and show it in the UI language. Keep these equal to the host's texts
// (messages.test.ts builds the host's real messages and checks each is recognised).
export const engineErrors = {
  engineError: {
    targetRefused: '{{where}} refused the connection — is the service running on that port?',
    targetUnreachable: '{{where}} is unreachable from this machine — check the target address and the network route to it',
    targetNoAnswer: '{{where}} did not answer within {{duration}} — check the target address and port, and whether a firewall drops the connection',
    targetTimedOut: '{{where}} timed out — check the target address and port, and whether a firewall drops the connection',
    targetDns: 'Could not resolve "{{host}}" — check the host name',
    targetReset: "{{where}} reset the connection — the service dropped it; check the service's logs",
    targetFailed: 'Connection to {{where}} failed: {{detail}}',
    udpNothingListening: 'Nothing is listening on UDP {{where}} (the host answered "port unreachable") — is the service running on that port?',
    listenLowPort: 'Cannot listen on {{where}}: ports below 1024 need administrator rights on this system — choose a port above 1024',
    listenNotAllowed: 'Not allowed to listen on {{where}} — a security policy or firewall blocks it; choose another port or address',
    listenNotHere: "Cannot listen on {{where}}: {{host}} is not an address of this machine — use 127.0.0.1, 0.0.0.0 or one of this machine's own addresses",
    listenDns: 'Could not resolve "{{host}}" to listen on — check the listen address',
    listenFailed: 'Could not listen on {{where}}: {{detail}}',
    // "Open on router" on a loopback listener (src-main/router/router-mappings.ts).
    routerLoopback: "the mapping listens on {{host}}, which the router cannot reach — listen on this computer's LAN address ({{lan}}) or on all interfaces (0.0.0.0)",
    routerLoopbackNoLan: "the mapping listens on {{host}}, which the router cannot reach — listen on this computer's LAN address or on all interfaces (0.0.0.0)",
  },
} as const;
