import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelaySchema } from '../../src-shared/model/relay';
import { type Rule, RuleSchema } from '../../src-shared/model/rule';
import { type SshServer, SshServerSchema } from '../../src-shared/model/ssh';
import { tempDir } from '../../test-support/tmp';
import { ProfileError } from './profile-error';
import { buildExport } from './export-profile';
import { type ImportBundle, readImportFile, readImportText } from './import-bundle';

// The one entry point every import goes through (dropped files, `porthole import`, `run --profile`):
// a real-world corpus per format, Porthole's own export read back, and adversarial input.

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'corpus');
const HOME = path.join(CORPUS, 'ssh', 'home');
const SSH_CONFIG = path.join(HOME, '.ssh', 'config');
const file = (...p: string[]) => path.join(CORPUS, ...p);
const CORPUS_FILES = [
  SSH_CONFIG,
  file('port-proxy', 'client.yaml'),
  file('port-proxy', 'server.yaml'),
  file('frpc', 'frpc.toml'),
  file('frpc', 'frpc.ini'),
  file('rathole', 'client.toml'),
  file('porthole', 'export.yaml'),
  file('porthole', 'export-secrets.json'),
];

/** The corpus read as `porthole import FILE` reads it: a file named by its path (an ssh_config's Includes are followed). */
const read = (f: string): ImportBundle => readImportFile(f, { home: HOME, user: 'me' });
const profileError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as Error).message;
  }
  throw new Error('expected a ProfileError');
};
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const base = { enabled: false, autoStart: true, tags: [] };
// On as in the file: whether anything starts is the import's decision (imports.apply start).
const relayExpose = { ...base, enabled: true, type: 'relay-expose', protocol: 'tcp', kind: 'tcp' };

describe('readImportText: a real-world corpus per format', () => {
  it('every corpus file has a BOM and CRLF line ends, and the text formats tabs and comments', () => {
    for (const f of CORPUS_FILES) {
      const bytes = readFileSync(f);
      expect([...bytes.subarray(0, 3)], f).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('latin1').split('\n').slice(0, -1).every((l) => l.endsWith('\r')), f).toBe(true);
      if (!f.endsWith('.json')) expect(bytes.toString('latin1'), f).toMatch(/\t/);
    }
  });

  it('ssh_config: Include, several forwards per Host, [::1]:port forms; Match exec ignored; a port two hosts forward is imported once', () => {
    const b = read(SSH_CONFIG);
    expect(b.format).toBe('ssh-config');
    const ref = Object.fromEntries(b.servers.map((s) => [s.name, s.ref]));
    const common = { port: 22, auth: { method: 'agent' }, jump: [], keepaliveIntervalMs: 20_000, keepaliveCountMax: 5, hostKeyPolicy: 'accept-new' };
    expect(b.servers).toEqual([
      { ...common, name: 'build', host: 'build.corp.example', user: 'ci', ref: ref.build },
      { ...common, name: 'jump', host: 'jump.example.net', port: 2200, user: 'ops', auth: { method: 'key', keyPath: path.join(HOME, '.ssh', 'id_ed25519'), hasPassphrase: false }, ref: ref.jump },
      { ...common, name: 'app', host: '10.20.0.5', user: 'alice', jump: [ref.jump], ref: ref.app },
      { ...common, name: 'gpu-a', host: 'gpu-a.lab.example', user: 'research', ref: ref['gpu-a'] },
      { ...common, name: 'gpu-b', host: 'gpu-b.lab.example', user: 'research', ref: ref['gpu-b'] },
    ]);
    const on = { ...base, enabled: true };
    const socks = { hasPassword: false, connectTimeoutMs: 10_000 };
    expect(b.rules).toEqual([
      { ...on, type: 'ssh-local', name: 'build: L 8080 → localhost:8080', server: ref.build, listen: { host: '127.0.0.1', port: 8080 }, target: { host: 'localhost', port: 8080 } },
      { ...on, type: 'ssh-local', name: 'build: L 8081 → localhost:8081', server: ref.build, listen: { host: '127.0.0.1', port: 8081 }, target: { host: 'localhost', port: 8081 } },
      { ...on, type: 'ssh-dynamic', name: 'build: D 1081 (SOCKS)', server: ref.build, listen: { host: '127.0.0.1', port: 1081 }, socks },
      { ...on, type: 'ssh-local', name: 'app: L 5432 → db.internal:5432', server: ref.app, listen: { host: '127.0.0.1', port: 5432 }, target: { host: 'db.internal', port: 5432 } },
      { ...on, type: 'ssh-local', name: 'app: L [::1]:6379 → [2001:db8::6]:6379', server: ref.app, listen: { host: '::1', port: 6379 }, target: { host: '2001:db8::6', port: 6379 } },
      { ...on, type: 'ssh-local', name: 'app: L 8443 → localhost:443', server: ref.app, listen: { host: '127.0.0.1', port: 8443 }, target: { host: 'localhost', port: 443 } },
      { ...on, type: 'ssh-remote', name: 'app: R 9000 → localhost:3000', server: ref.app, remote: { host: '127.0.0.1', port: 9000 }, target: { host: 'localhost', port: 3000 } },
      { ...on, type: 'ssh-remote', name: 'app: R [::1]:9001 → [::1]:3001', server: ref.app, remote: { host: '::1', port: 9001 }, target: { host: '::1', port: 3001 } },
      { ...on, type: 'ssh-dynamic', name: 'app: D [::1]:1080 (SOCKS)', server: ref.app, listen: { host: '::1', port: 1080 }, socks },
      { ...on, type: 'ssh-local', name: 'gpu-a: L 8888 → localhost:8888', server: ref['gpu-a'], listen: { host: '127.0.0.1', port: 8888 }, target: { host: 'localhost', port: 8888 } },
    ]);
    expect(b.relays).toEqual([]);
    expect(b.warnings).toEqual([
      `${SSH_CONFIG}:19: unknown keyword "WeirdVendorOption" ignored`,
      `${SSH_CONFIG}:28: Match exec is never run by Porthole; the options of this Match block are ignored`,
      `gpu-b: LocalForward "8888 localhost:8888" (${SSH_CONFIG}:25) uses the same listen address 127.0.0.1:8888 as the forward of gpu-a (Porthole runs every host's forwards at once); skipped`,
      `${SSH_CONFIG}:37: AddKeysToAgent is not carried over (Porthole adds no keys to the agent) — set for every host (5)`,
    ]);
  });

  it('port-proxy client YAML: the relay with its token, one relay-expose per expose entry (IPv6, flow map), unknown keys named', () => {
    const f = file('port-proxy', 'client.yaml');
    const b = read(f);
    const ref = b.relays[0]!.ref;
    expect(b).toEqual({
      source: f,
      format: 'port-proxy-client',
      servers: [],
      relays: [{ ref, name: 'homelab @ [2001:db8::7]:9015', host: '2001:db8::7', port: 9015, agentName: 'homelab', tls: true, hasToken: true, acceptAssigned: false, token: 'hl-Secret-42' }],
      rules: [
        { ...relayExpose, name: 'web', relay: ref, target: { host: '127.0.0.1', port: 8080 }, remotePort: 18080, kind: 'http' },
        { ...relayExpose, name: 'homelab auto → [::1]:22', relay: ref, target: { host: '::1', port: 22 }, remotePort: 0 },
        { ...relayExpose, name: 'homelab 20053 → 192.168.1.10:53', relay: ref, target: { host: '192.168.1.10', port: 53 }, remotePort: 20053, protocol: 'udp' },
      ],
      warnings: [
        `${f}:6: unknown key "reconnect" ignored`,
        `${f}:15: unknown key "note" ignored`,
        `${f}: relay "homelab @ [2001:db8::7]:9015": its token has 12 characters and relays need at least 16, so its mappings will not connect — make one with \`porthole relay --gen-token\` (or \`openssl rand -hex 24\`), or with Generate in the Relay view, set it on the relay, and enter it for this relay here`,
      ],
    });
  });

  it('port-proxy server YAML: nothing to add to the mappings, and says how to run it instead', () => {
    const f = file('port-proxy', 'server.yaml');
    expect(read(f)).toEqual({
      source: f,
      format: 'port-proxy-server',
      servers: [],
      relays: [],
      rules: [],
      warnings: [
        `${f}:5: unknown key "log_level" ignored`,
        `${f}: this is a relay server config (what a VPS runs): start it with \`porthole relay --config server.yaml\`, or set up the same agents in the Relay view — nothing to add to the mappings`,
      ],
    });
  });

  it('frpc.toml: tcp and udp proxies on an IPv6 frps, the token kept apart; http and unknown keys named', () => {
    const f = file('frpc', 'frpc.toml');
    const b = read(f);
    const ref = b.relays[0]!.ref;
    expect(b.format).toBe('frpc-toml');
    expect(b.relays).toEqual([{ ref, name: 'frps [2001:db8::1]:7000', host: '2001:db8::1', port: 7000, agentName: 'frps [2001:db8::1]:7000', tls: true, hasToken: true, acceptAssigned: false, token: 'frp-Token-77' }]);
    expect(b.rules).toEqual([
      { ...relayExpose, name: 'nas-ssh', relay: ref, target: { host: '::1', port: 22 }, remotePort: 6022 },
      { ...relayExpose, name: 'nas-web', relay: ref, target: { host: '127.0.0.1', port: 5000 }, remotePort: 6080 },
      { ...relayExpose, name: 'dns', relay: ref, target: { host: '127.0.0.1', port: 53 }, remotePort: 6053, protocol: 'udp' },
    ]);
    expect(b.warnings).toEqual([
      `${f}: loginFailExit, transport.poolCount: not supported by Porthole; ignored`,
      `${f}:21: proxy "nas-web": transport.useCompression: not supported by Porthole; ignored`,
      `${f}:35: proxy "photos" (http) skipped: HTTP virtual hosts (customDomains/subdomain) are not supported by Porthole's relay`,
      `${f}: these mappings go through [2001:db8::1]:7000, where frps runs now; Porthole's agent talks only to a Porthole relay, so that machine must run \`porthole relay\` instead — \`porthole import frpc.toml --relay-config relay.yaml\` writes its config (agent, token, allowed ports)`,
    ]);
  });

  it('frpc.ini: [v6] server_addr, tab before "=", a comment between sections; unknown keys named', () => {
    const f = file('frpc', 'frpc.ini');
    const b = read(f);
    const ref = b.relays[0]!.ref;
    expect(b.format).toBe('frpc-ini');
    expect(b.relays).toEqual([{ ref, name: 'frps [2001:db8::1]:7000', host: '2001:db8::1', port: 7000, agentName: 'frps [2001:db8::1]:7000', tls: true, hasToken: true, acceptAssigned: false, token: 'ini-Token-88' }]);
    expect(b.rules).toEqual([
      { ...relayExpose, name: 'ssh', relay: ref, target: { host: '::1', port: 22 }, remotePort: 6022 },
      { ...relayExpose, name: 'rdp', relay: ref, target: { host: '192.168.1.20', port: 3389 }, remotePort: 63389 },
      { ...relayExpose, name: 'dns', relay: ref, target: { host: '127.0.0.1', port: 53 }, remotePort: 6053, protocol: 'udp' },
    ]);
    expect(b.warnings).toEqual([
      `${f}:2: [common] login_fail_exit: not supported by Porthole; ignored`,
      `${f}:16: proxy "rdp": use_compression: not supported by Porthole; ignored`,
      `${f}: these mappings go through [2001:db8::1]:7000, where frps runs now; Porthole's agent talks only to a Porthole relay, so that machine must run \`porthole relay\` instead — \`porthole import frpc.ini --relay-config relay.yaml\` writes its config (agent, token, allowed ports)`,
    ]);
  });

  it('rathole client.toml: services become exposes whose public port the server decides', () => {
    const f = file('rathole', 'client.toml');
    const b = read(f);
    const ref = b.relays[0]!.ref;
    expect(b.format).toBe('rathole-client');
    expect(b.relays).toEqual([{ ref, name: 'rathole [2001:db8::2]:2333', host: '2001:db8::2', port: 2333, agentName: 'rathole', tls: true, hasToken: true, acceptAssigned: false, token: 'rh-Default-99' }]);
    expect(b.rules).toEqual([
      { ...relayExpose, name: 'pi_ssh', relay: ref, target: { host: '::1', port: 22 }, remotePort: 0 },
      { ...relayExpose, name: 'grafana', relay: ref, target: { host: '127.0.0.1', port: 3000 }, remotePort: 0 },
      { ...relayExpose, name: 'wg', relay: ref, target: { host: '127.0.0.1', port: 51820 }, remotePort: 0, protocol: 'udp' },
    ]);
    expect(b.warnings).toEqual([
      `${f}:7: client.prefer_ipv6 is not supported by Porthole; ignored`,
      `${f}:9: rathole's TLS settings (trusted_root, hostname, pkcs12) are not used: Porthole's relay makes its own certificate and the agent pins it on first use`,
      `${f}:17: service "grafana": nodelay is not supported by Porthole; ignored`,
      `${f}: rathole's server decides the public port of services pi_ssh, grafana, wg: imported with remote port 0 (the relay picks one); set it from the server's [server.services] bind_addr`,
      `${f}: these mappings go through [2001:db8::2]:2333, where rathole's server runs now; Porthole's agent talks only to a Porthole relay, so that machine must run \`porthole relay\` instead — \`porthole import client.toml --relay-config relay.yaml\` writes its config (agent, token, allowed ports)`,
    ]);
  });

  it('Porthole YAML, hand-edited: every rule type, a two-hop jump chain, a relay; a key Porthole does not know is named', () => {
    const f = file('porthole', 'export.yaml');
    const b = read(f);
    expect(b.format).toBe('porthole-yaml');
    const srv = { port: 22, jump: [], keepaliveIntervalMs: 15_000, keepaliveCountMax: 3, hostKeyPolicy: 'ask' };
    expect(b.servers).toEqual([
      { ...srv, ref: 'bastion', name: 'Bastion', host: 'bastion.example.com', port: 2222, user: 'ops', auth: { method: 'key', keyPath: '/home/me/.ssh/id_ed25519', hasPassphrase: false }, hostKeyPolicy: 'strict' },
      { ...srv, ref: 'mid', name: 'Mid hop', host: '2001:db8::10', user: 'ops', auth: { method: 'agent' }, jump: ['bastion'] },
      { ...srv, ref: 'db-host', name: 'DB host', host: '10.0.0.20', user: 'dba', auth: { method: 'password', hasPassword: false }, jump: ['bastion', 'mid'], keepaliveIntervalMs: 30_000 },
    ]);
    expect(b.relays).toEqual([
      { ref: 'edge', name: 'Edge relay', host: 'relay.example.com', port: 9015, agentName: 'laptop', tls: true, fingerprint: 'AB:CD:EF:01:23:45:67:89:'.repeat(4).slice(0, -1), hasToken: false, acceptAssigned: false },
    ]);
    const tcpOptions = { allow: ['192.168.1.0/24', '::1'], deny: [], maxConnections: 0, connectTimeoutMs: 10_000, idleTimeoutMs: 0, keepAlive: true, proxyProtocol: 'v1' };
    expect(b.rules).toEqual([
      { ...base, type: 'tcp-forward', name: 'Web', group: 'web', tags: ['dev', 'http'], listen: { host: '::1', port: 8080 }, target: { host: '10.0.0.2', port: 80 }, options: tcpOptions },
      { ...base, type: 'udp-forward', name: 'DNS', listen: { host: '127.0.0.1', port: 5353 }, target: { host: '2001:db8::53', port: 53 }, options: { allow: [], deny: [], idleTimeoutMs: 60_000, maxSessions: 1000 } },
      { ...base, type: 'ssh-local', name: 'Postgres', enabled: true, server: 'db-host', listen: { host: '127.0.0.1', port: 15432 }, target: { host: 'localhost', port: 5432 } },
      { ...base, type: 'ssh-remote', name: 'Share dev server', server: 'mid', remote: { host: '0.0.0.0', port: 9000 }, target: { host: '::1', port: 3000 } },
      { ...base, type: 'ssh-dynamic', name: 'SOCKS via bastion', autoStart: false, server: 'bastion', listen: { host: '::1', port: 1080 }, socks: { username: 'me', hasPassword: false, connectTimeoutMs: 10_000 } },
      { ...base, type: 'socks', name: 'Plain SOCKS', listen: { host: '127.0.0.1', port: 1081 }, socks: { hasPassword: false, connectTimeoutMs: 10_000 } },
      { ...relayExpose, enabled: false, name: 'Expose grafana', relay: 'edge', target: { host: '127.0.0.1', port: 3000 }, remotePort: 20001, kind: 'http' },
    ]);
    expect(b.warnings).toEqual([
      `${f}:7: unknown key "sharedBy" ignored`,
      `${f}: mapping "SOCKS via bastion": SOCKS user me has no password here: set one in the rule before switching it on`,
    ]);
  });

  it('Porthole JSON with secrets: password, token and SOCKS password stay in their own fields', () => {
    const b = read(file('porthole', 'export-secrets.json'));
    expect(b.format).toBe('porthole-json');
    expect(b.servers).toMatchObject([{ ref: 'nas', auth: { method: 'password', hasPassword: true }, password: 'nas-Pw-5521' }]);
    expect(b.relays).toMatchObject([{ ref: 'home-relay', hasToken: true, token: 'relay-Tok-8812-Lk4Q' }]);
    expect(b.rules).toMatchObject([
      { type: 'ssh-dynamic', server: 'nas', socks: { username: 'me', hasPassword: true }, socksPassword: 'socks-Pw-3391' },
      { type: 'relay-expose', relay: 'home-relay', target: { host: '::1', port: 5000 } },
    ]);
    expect(b.warnings).toEqual([]);
  });
});

describe('Porthole export → import round trip', () => {
  const server = (s: Record<string, unknown>): SshServer => SshServerSchema.parse({ user: 'ops', auth: { method: 'agent' }, ...s });
  const bastion = server({ id: 'srv-1', name: 'Bastion', host: 'bastion.example.com', port: 2222, auth: { method: 'key', keyPath: '/k/id_bastion', hasPassphrase: true } });
  const mid = server({ id: 'srv-2', name: 'Mid', host: '2001:db8::7', jump: ['srv-1'], hostKeyPolicy: 'strict' });
  const lab = server({ id: 'srv-3', name: 'Lab', host: 'lab.internal', jump: ['srv-1', 'srv-2'], auth: { method: 'password', hasPassword: true }, keepaliveIntervalMs: 5000 });
  const edge = RelaySchema.parse({ id: 'rl-1', name: 'Edge', host: 'relay.example.com', agentName: 'laptop', hasToken: true, acceptAssigned: true });
  const rule = (r: Record<string, unknown>): Rule => RuleSchema.parse({ enabled: true, ...r });
  const RULES: Rule[] = [
    rule({ id: 'r1', type: 'tcp-forward', name: 'Web', group: 'g', tags: ['t'], notes: 'a # not a comment\nsecond line', listen: { host: '::1', port: 8080 }, target: { host: '10.0.0.2', port: 80 }, options: { deny: ['10.0.0.0/8'], proxyProtocol: 'v2' } }),
    rule({ id: 'r2', type: 'udp-forward', name: 'DNS', enabled: false, listen: { host: '127.0.0.1', port: 5353 }, target: { host: '1.1.1.1', port: 53 }, options: { maxSessions: 9 } }),
    rule({ id: 'r3', type: 'ssh-local', name: 'DB', server: 'srv-3', listen: { host: '127.0.0.1', port: 15432 }, target: { host: 'db', port: 5432 } }),
    rule({ id: 'r4', type: 'ssh-remote', name: 'Share', server: 'srv-2', remote: { host: '0.0.0.0', port: 0 }, target: { host: 'localhost', port: 3000 } }),
    rule({ id: 'r5', type: 'ssh-dynamic', name: 'SOCKS', autoStart: false, server: 'srv-1', listen: { host: '::1', port: 1080 }, socks: { username: 'me', hasPassword: true } }),
    rule({ id: 'r6', type: 'socks', name: 'Plain', listen: { host: '127.0.0.1', port: 1081 }, socks: { username: 'u', hasPassword: true, connectTimeoutMs: 500 } }),
    rule({ id: 'r7', type: 'relay-expose', name: 'Expose', relay: 'rl-1', target: { host: '127.0.0.1', port: 3000 }, remotePort: 20001, protocol: 'udp' }),
  ];
  const SECRETS = {
    sshPassword: (id: string) => (id === 'srv-3' ? 'pw-lab' : undefined),
    sshPassphrase: (id: string) => (id === 'srv-1' ? 'pp-bastion' : undefined),
    relayToken: (id: string) => (id === 'rl-1' ? 'tok-edge-5Qz9w2LmRt' : undefined),
    socksPassword: (id: string) => ({ r5: 'sx-5', r6: 'sx-6' })[id],
  };
  const secretValues = ['pw-lab', 'pp-bastion', 'tok-edge-5Qz9w2LmRt', 'sx-5', 'sx-6'];

  for (const format of ['yaml', 'json'] as const) {
    for (const includeSecrets of [false, true]) {
      it(`${format}${includeSecrets ? ', with secrets' : ''}: the same rules (every type), servers (jump chain) and relays come back`, () => {
        const out = buildExport({ rules: RULES, servers: [lab, mid, bastion], relays: [edge], secrets: SECRETS }, { format, includeSecrets, now: new Date(2026, 0, 2) });
        const b = readImportText(out.text, out.fileName);
        expect(b.format).toBe(format === 'yaml' ? 'porthole-yaml' : 'porthole-json');
        // Without secrets, the SOCKS servers with a user name arrive switched off, saying why.
        expect(b.warnings).toEqual(
          includeSecrets
            ? []
            : [
                `${out.fileName}: mapping "SOCKS": SOCKS user me has no password here: set one in the rule before switching it on`,
                `${out.fileName}: mapping "Plain": SOCKS user u has no password here: set one in the rule before switching it on`,
              ],
        );
        // Refs are the file's own names: map them back to the saved ids by name.
        const idOf = new Map([...b.servers.map((s) => [s.ref, [bastion, mid, lab].find((x) => x.name === s.name)!.id] as const), [b.relays[0]!.ref, edge.id] as const]);
        const flag = (s: SshServer): SshServer =>
          s.auth.method === 'password' ? { ...s, auth: { ...s.auth, hasPassword: includeSecrets } } : s.auth.method === 'key' ? { ...s, auth: { ...s.auth, hasPassphrase: includeSecrets } } : s;
        expect(b.servers.map(({ ref, password: _p, passphrase: _pp, ...s }) => ({ ...s, id: idOf.get(ref), jump: s.jump.map((j) => idOf.get(j)) }))).toEqual([bastion, mid, lab].map(flag));
        expect(b.relays.map(({ ref, token: _t, ...r }) => ({ ...r, id: idOf.get(ref) }))).toEqual([{ ...edge, hasToken: includeSecrets }]);
        expect(
          b.rules.map(({ socksPassword: _s, ...r }, i) => ({
            ...r,
            id: RULES[i]!.id,
            ...('server' in r ? { server: idOf.get(r.server) } : {}),
            ...(r.type === 'relay-expose' ? { relay: idOf.get(r.relay) } : {}),
          })),
        ).toEqual(RULES.map((r) => ('socks' in r ? { ...r, socks: { ...r.socks, hasPassword: includeSecrets }, enabled: includeSecrets } : r)));
        const secretsBack = [...b.servers.flatMap((s) => [s.password, s.passphrase]), ...b.relays.map((r) => r.token), ...b.rules.map((r) => r.socksPassword)].filter((x) => x !== undefined);
        if (includeSecrets) {
          expect(secretsBack.sort()).toEqual([...secretValues].sort());
          expect(b.servers.find((s) => s.name === 'Lab')!.password).toBe('pw-lab');
          expect(b.rules.find((r) => r.name === 'Plain')!.socksPassword).toBe('sx-6');
        } else {
          expect(secretsBack).toEqual([]);
          for (const v of secretValues) expect(out.text).not.toContain(v);
        }
      });
    }
  }
});

describe('readImportText / readImportFile: Porthole JSON profiles (was headless/profile.ts)', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());
  const put = (name: string, body: string | Buffer) => {
    const p = path.join(t.dir, name);
    writeFileSync(p, body);
    return p;
  };

  it('reads a JSON profile with only "rules" (BOM and CRLF) and fills defaults', () => {
    const b = readImportFile(put('p.json', '\uFEFF{\r\n "rules": [ { "type": "socks", "name": "proxy", "listen": { "host": "127.0.0.1", "port": 1080 } } ]\r\n}\r\n'));
    expect(b).toMatchObject({ format: 'porthole-json', servers: [], relays: [], warnings: [] });
    expect(b.rules).toEqual([{ ...base, type: 'socks', name: 'proxy', listen: { host: '127.0.0.1', port: 1080 }, socks: { hasPassword: false, connectTimeoutMs: 10_000 } }]);
  });

  it('names the file, the line, the rule and the field of an invalid rule', () => {
    const p = put('bad.json', `{\n  "rules": [\n    { "type": "tcp-forward", "name": "x",\n      "listen": { "host": "127.0.0.1", "port": 99999 }, "target": { "host": "h", "port": 1 } }\n  ]\n}\n`);
    expect(profileError(() => readImportFile(p))).toBe(`${p}:4: rules[0].listen.port: port must be between 1 and 65535`);
  });

  it('reports broken JSON with a line, without echoing the file', () => {
    const secret = 'hunter2-should-not-be-echoed';
    const p = put('broken.json', `{\n  "rules": [,\n  "${secret}"\n}\n`);
    const msg = profileError(() => readImportFile(p));
    expect(msg).toMatch(new RegExp(`^${esc(p)}:\\d+: not valid JSON`));
    expect(msg).not.toContain(secret);
  });

  it('reads text that is not JSON by content (an ssh_config), and refuses binary, oversized, unknown and missing files naming them', () => {
    expect(readImportFile(put('config', 'Host lab\n  HostName 127.0.0.1\n  LocalForward 8080 127.0.0.1:80\n'), { user: 'me' }).rules).toMatchObject([{ type: 'ssh-local', listen: { port: 8080 } }]);
    const bin = put('bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    expect(profileError(() => readImportFile(bin))).toMatch(new RegExp(`^${esc(bin)}: binary data \\(NUL bytes\\)`));
    const big = put('big.yaml', `porthole: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
    expect(profileError(() => readImportFile(big))).toMatch(new RegExp(`^${esc(big)}: the file is larger than 1 MiB`));
    const notes = put('notes.txt', 'shopping list:\n- milk\n- eggs\n');
    expect(profileError(() => readImportFile(notes))).toBe(`${notes}: not a format Porthole can import — expected a tunnel profile (Porthole export, ssh_config, port-proxy YAML, frpc.toml/ini, rathole config)`);
    expect(profileError(() => readImportFile(path.join(t.dir, 'gone.yaml')))).toMatch(/gone\.yaml: cannot read the file \(ENOENT\)$/);
  });
});

describe('readImportText: nothing in a file ever runs', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('Match exec, ProxyCommand, LocalCommand and KnownHostsCommand are never run', () => {
    const marks = ['match', 'match-host', 'proxy', 'local', 'known'].map((m) => path.join(t.dir, `ran-${m}`));
    const text = [
      'Host lab',
      '  HostName 127.0.0.1',
      `  ProxyCommand touch ${marks[2]}`,
      `  LocalCommand touch ${marks[3]}`,
      '  PermitLocalCommand yes',
      `  KnownHostsCommand /bin/sh -c "touch ${marks[4]}"`,
      '  LocalForward 8080 127.0.0.1:80',
      `Match exec "touch ${marks[0]}"`,
      '  User nobody',
      `Match host lab exec "touch ${marks[1]}"`,
      '  Port 2',
    ].join('\n');
    const b = readImportText(text, 'config', { home: t.dir, user: 'me' });
    expect(b.servers).toMatchObject([{ name: 'lab', user: 'me', port: 22 }]);
    expect(b.warnings).toEqual([
      'config:8: Match exec is never run by Porthole; the options of this Match block are ignored',
      'config:10: Match exec is never run by Porthole; the options of this Match block are ignored',
      'lab: ProxyCommand is not supported (Porthole never runs commands from an imported file): connecting directly to 127.0.0.1',
      'config:4: LocalCommand is not carried over (Porthole never runs commands from an imported file) — set for lab',
      'config:5: PermitLocalCommand is not carried over (Porthole never runs commands from an imported file) — set for lab',
      'config:6: KnownHostsCommand is not carried over (Porthole never runs commands from an imported file) — set for lab',
    ]);
    for (const m of marks) expect(existsSync(m), m).toBe(false);
  });
});

describe('readImportText: hostile input is refused quickly with a message naming the file', () => {
  const timed = (fn: () => unknown): { ms: number; message: string } => {
    const t0 = performance.now();
    const message = profileError(fn);
    return { ms: performance.now() - t0, message };
  };
  const lol = (head: string, tail: string) => {
    const levels = 'abcdefghi'.split('');
    const lines = levels.map((l, i) => `${l}: &${l} [${Array(9).fill(i === 0 ? '"lol"' : `*${levels[i - 1]}`).join(', ')}]`);
    return `${head}\n${lines.join('\n')}\n${tail}\n`;
  };

  it('a YAML alias bomb ("billion laughs") in Porthole YAML and in port-proxy YAML', () => {
    for (const [name, text] of [
      ['bomb.yaml', lol('porthole: 1', 'rules: *i')],
      ['relay.yaml', lol('bind: 0.0.0.0:9015', 'proxy: *i')],
    ] as const) {
      const { ms, message } = timed(() => readImportText(text, name));
      expect(message).toBe(`${name}: too many YAML aliases (a resource exhaustion attack?)`);
      expect(ms).toBeLessThan(1000);
    }
  });

  it('deeply nested YAML or JSON (brackets or indentation) is refused at its line, without stalling', () => {
    const n = 100_000;
    for (const [name, text, line] of [
      ['deep.json', `{"rules": ${'['.repeat(n)}${']'.repeat(n)}}`, 1],
      ['deep.yaml', `porthole: 1\nrules:\n  - ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, 3],
      ['indent.yaml', `porthole: 1\nrules:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}-`).join('\n')} x\n`, 65],
      ['relay.yaml', `bind: 0.0.0.0:9015\nproxy: ${'['.repeat(n)}\n`, 2],
    ] as const) {
      const { ms, message } = timed(() => readImportText(text, name));
      expect(message).toBe(`${name}:${line}: nested more than 64 levels deep — not a tunnel profile`);
      expect(ms).toBeLessThan(1000);
    }
  });

  it('a control character in a port-proxy agent name is refused naming the file (found by the property test below)', () => {
    const msg = profileError(() => readImportText('name: home\u0001lab\nserver: relay.example.com:9015\n', 'client.yaml'));
    expect(msg).toBe('client.yaml: relay "home\\u0001lab @ relay.example.com:9015" agentName: no control characters');
  });

  it('a Porthole file whose refs are ambiguous or whose jump hosts loop is refused at the line', () => {
    const srv = (ref: string, jump: string[]) => `  - { ref: ${ref}, name: ${ref}, host: h-${ref}, user: u, auth: { method: agent }, jump: [${jump.join(', ')}] }`;
    const doc = (...servers: string[]) => `porthole: 1\nservers:\n${servers.join('\n')}\n`;
    expect(profileError(() => readImportText(doc(srv('a', []), srv('a', [])), 'dup.yaml'))).toBe('dup.yaml:4: servers[1].ref: "a" is the ref of an earlier server');
    expect(profileError(() => readImportText(doc(srv('a', ['a'])), 'self.yaml'))).toBe('self.yaml:3: servers[0].jump: the jump hosts of "a" lead back to it');
    expect(profileError(() => readImportText(doc(srv('a', ['b']), srv('b', ['c']), srv('c', ['a'])), 'loop.yaml'))).toBe('loop.yaml:3: servers[0].jump: the jump hosts of "a" lead back to it');
    const relays = 'relays:\n  - { ref: r, name: R1, host: r1, agentName: x }\n  - { ref: r, name: R2, host: r2, agentName: x }\n';
    expect(profileError(() => readImportText(`porthole: 1\n${relays}`, 'relays.yaml'))).toBe('relays.yaml:4: relays[1].ref: "r" is the ref of an earlier relay');
  });
});

describe('readImportText: property-based — anything but a ProfileError naming the file is a bug', () => {
  /** Throws anything that is not a ProfileError whose message starts with the file (or a file it includes). */
  const check = (text: string, name: string): void => {
    try {
      readImportText(text, name, { home: HOME, user: 'me' });
    } catch (err) {
      if (!(err instanceof ProfileError)) throw err;
      if (!new RegExp(`^(${esc(name)}|${esc(HOME)}[^:]*)(:\\d+)?: \\S`).test(err.message)) throw new Error(`unstructured message: ${err.message}`, { cause: err });
    }
  };
  const TOKENS = [
    'porthole: 1\n', 'rules:\n', 'servers:\n', 'relays:\n', '  - ', '- ', 'type: tcp-forward\n', 'ref: a\n', 'jump: [a]\n', 'server: a\n',
    '{', '}', '[', ']', ',', ':', ': ', '"', "'", '&a ', '*a', '!!binary ', '<<: ', '? ', '|\n', '>-\n', '---\n', '...\n', '%YAML 1.1\n',
    'Host ', 'Match exec "x"\n', 'Include *\n', 'LocalForward ', 'RemoteForward [::1]:0 ', 'DynamicForward ', 'ProxyJump a,b\n', 'HostName %h\n', 'Port 0\n',
    'bind: ', 'proxy:\n', 'remote_name: ', 'port_list:\n', 'name: ', 'server: ', 'expose:\n', 'local: ', 'remote: ', 'token: ',
    '[[proxies]]\n', '[[visitors]]\n', 'serverAddr = ', 'localPort = ', '[common]\n', 'server_addr = ', '[client]\n', '[client.services.x]\n', 'remote_addr = ',
    'local_addr = ', '{{ .Envs.X }}', '127.0.0.1:80', '[::1]:22', '65536', '-1', '0', '1e3', '\t', '\n', '\r\n', '\uFEFF', '\u2028', '#', ';', '=', '\\', '%',
  ];
  const tokenText = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 60 }).map((a) => a.join(''));
  const names = fc.constantFrom('dropped', 'config', 'frpc.toml', 'frpc.ini', 'rathole.toml', 'relay.yaml', 'export.json', 'C:\\Users\\me\\x.yml');

  it('random strings and token soup', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), tokenText), names, (text, name) => check(text, name)), { numRuns: 1500 });
  });

  it('random mutations of every corpus file', () => {
    type Mutation = { op: 'delete' | 'insert' | 'dup-line' | 'swap-lines' | 'truncate'; at: number; to: number; text: string };
    const mutation: fc.Arbitrary<Mutation> = fc.record({
      op: fc.constantFrom('delete', 'insert', 'insert', 'dup-line', 'swap-lines', 'truncate'),
      at: fc.nat(),
      to: fc.nat(),
      text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 8 })),
    });
    const apply = (src: string, m: Mutation): string => {
      const at = m.at % (src.length + 1);
      const lines = src.split('\n');
      const [a, b] = [m.at % lines.length, m.to % lines.length];
      switch (m.op) {
        case 'delete':
          return src.slice(0, at) + src.slice(at + 1 + (m.to % 40));
        case 'insert':
          return src.slice(0, at) + m.text + src.slice(at);
        case 'dup-line':
          return [...lines.slice(0, a + 1), lines[a]!, ...lines.slice(a + 1)].join('\n');
        case 'swap-lines':
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
          return lines.join('\n');
        case 'truncate':
          return src.slice(0, at);
      }
    };
    const texts = CORPUS_FILES.map((f) => [f, readFileSync(f, 'utf8')] as const);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(mutation, { minLength: 1, maxLength: 5 }), ([f, src], ms) => check(ms.reduce(apply, src), f)),
      { numRuns: 2000 },
    );
  }, 60_000);
});
