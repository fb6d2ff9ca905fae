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
    // SSH sessions and channels (src-main/ssh/ssh-errors.ts, ssh-session.ts): what an SSH mapping's log and card say.
    sshClosedByServer: 'The SSH connection to {{server}} was closed by the server or the network — reconnecting',
    sshClosedBeforeLogin: "{{server}} closed the connection before login completed — check the server's logs (MaxStartups, AllowUsers, fail2ban)",
    sshAuthFailedAgent: 'Authentication failed for {{server}} (tried: {{tried}}); the agent could not be used: {{problem}} — check the key or password',
    sshAuthFailed: 'Authentication failed for {{server}} (tried: {{tried}}) — check the key or password',
    sshKeepalive: '{{server}} stopped answering keepalives — the network or the server went away; reconnecting',
    sshHandshakeTimeout: '{{server}} did not complete the SSH handshake in time — check the address and port, and whether a firewall drops the connection',
    sshDns: 'Could not resolve "{{host}}" — check the SSH server\'s host name',
    sshRefused: '{{where}} refused the connection — is the SSH server running on port {{port}}?',
    sshUnreachable: "{{where}} is unreachable — check the SSH server's address and the network route to it",
    sshNoAnswer: '{{where}} did not answer — check the address and port, and whether a firewall drops the connection',
    sshReset: '{{server}} reset the SSH connection — reconnecting',
    sshFailedReconnecting: 'The SSH connection to {{server}} failed: {{detail}} — reconnecting',
    sshForbidden: "{{server}} does not allow forwarding to {{target}} (administratively prohibited) — the server's AllowTcpForwarding or PermitOpen settings forbid it",
    sshTargetRefused: '{{target}} refused the connection (as seen from {{server}}) — is the service running on that port?',
    sshTargetDns: '{{server}} could not resolve "{{host}}" — check the target host name (it is resolved on the SSH server)',
    sshTargetTimeout: '{{target}} did not answer {{server}} in time — check the target address and port',
    sshTargetUnreachable: '{{server}} could not connect to {{target}}: {{detail}} — check the target address and port',
    sshChannelDropped: 'The SSH connection to {{server}} dropped while opening a channel to {{target}}',
    sshNoAgent: 'Cannot log in to {{server}}: no ssh-agent is running (SSH_AUTH_SOCK is not set) — start one and add your key with ssh-add, or choose a key file',
    sshNoPassword: "Cannot log in to {{server}}: no password is saved — enter the password in the server's settings",
    sshKeyUnreadable: 'Cannot log in to {{server}}: cannot read the key file {{path}} ({{code}}) — choose an existing private key file',
    sshWrongPassphrase: 'Cannot log in to {{server}}: the passphrase for {{path}} is wrong — enter it again',
    sshNeedsPassphrase: "Cannot log in to {{server}}: {{path}} is protected by a passphrase — enter it in the server's settings",
    /** Any other reason a login could not be tried: the reason stays in the host's words. */
    sshCannotLogin: 'Cannot log in to {{server}}: {{detail}}',
    sshRemoteListen: '{{server}} could not listen on {{where}} — the port may be in use there or below 1024, or the server forbids remote forwarding (AllowTcpForwarding, GatewayPorts)',
  },
} as const;
