import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DocRelaySchema, DocServerSchema, PortholeDocSchema, parseDocRule } from '../../src-shared/model/porthole-doc';
import { type Relay, RelaySchema } from '../../src-shared/model/relay';
import { type Rule, RuleSchema } from '../../src-shared/model/rule';
import { type SshServer, SshServerSchema } from '../../src-shared/model/ssh';
import { tempDir } from '../../test-support/tmp';
import { type ExportInput, type ExportResult, buildExport } from './export-profile';
import { readSshConfigProfile } from './ssh-config-profile';

const NOW = new Date(2026, 10, 22, 12, 30);
const FP = 'AB:'.repeat(31) + 'AB';

const server = (s: Record<string, unknown>): SshServer => SshServerSchema.parse({ user: 'alice', auth: { method: 'agent' }, ...s });
const rule = (r: Record<string, unknown>): Rule => RuleSchema.parse({ enabled: true, ...r });
const relay = (r: Record<string, unknown>): Relay => RelaySchema.parse({ agentName: 'laptop', ...r });

const bastion = server({ id: 'srv-bastion', name: 'Bastion', host: 'bastion.example.com', port: 2222, auth: { method: 'key', keyPath: '/home/me/.ssh/id_bastion', hasPassphrase: true } });
const mid = server({ id: 'srv-mid', name: 'Mid hop', host: '10.0.0.7', jump: ['srv-bastion'], hostKeyPolicy: 'strict' });
const labA = server({ id: 'srv-lab-a', name: 'Lab box', host: 'lab.internal', jump: ['srv-bastion', 'srv-mid'], keepaliveIntervalMs: 30_000, keepaliveCountMax: 5, hostKeyPolicy: 'accept-new' });
const labB = server({ id: 'srv-lab-b', name: 'Lab  Box!', host: '2001:db8::5', user: 'bob', auth: { method: 'password', hasPassword: true }, hostKeyPolicy: 'off' });
const unused = server({ id: 'srv-unused', name: 'Unused', host: 'unused.example.com' });
const edge = relay({ id: 'rl-edge', name: 'Edge relay', host: 'relay.example.com', fingerprint: FP, hasToken: true });
const idleRelay = relay({ id: 'rl-idle', name: 'Idle', host: 'idle.example.com' });

const RULES: Rule[] = [
  rule({ id: 'r-tcp', type: 'tcp-forward', name: 'Web', tags: ['dev'], group: 'web', notes: 'notes', listen: { host: '127.0.0.1', port: 8080 }, target: { host: '10.0.0.2', port: 80 }, options: { allow: ['192.168.1.0/24'], deny: ['::1'], maxConnections: 10, idleTimeoutMs: 60_000, proxyProtocol: 'v2', keepAlive: false } }),
  rule({ id: 'r-udp', type: 'udp-forward', name: 'DNS', enabled: false, listen: { host: '::1', port: 5353 }, target: { host: '1.1.1.1', port: 53 }, options: { maxSessions: 50 } }),
  rule({ id: 'r-local', type: 'ssh-local', name: 'DB', server: 'srv-lab-a', listen: { host: '127.0.0.1', port: 15432 }, target: { host: 'db.internal', port: 5432 } }),
  rule({ id: 'r-local6', type: 'ssh-local', name: 'DB over v6', server: 'srv-lab-a', listen: { host: '::1', port: 15433 }, target: { host: '2001:db8::10', port: 5432 } }),
  rule({ id: 'r-remote', type: 'ssh-remote', name: 'Share dev', server: 'srv-lab-b', remote: { host: '0.0.0.0', port: 9000 }, target: { host: 'localhost', port: 3000 } }),
  rule({ id: 'r-dyn', type: 'ssh-dynamic', name: 'SOCKS', autoStart: false, server: 'srv-lab-b', listen: { host: '127.0.0.1', port: 1080 }, socks: { username: 'me', hasPassword: true } }),
  rule({ id: 'r-socks', type: 'socks', name: 'Plain SOCKS', listen: { host: '127.0.0.1', port: 1081 }, socks: { username: 'u', hasPassword: true, connectTimeoutMs: 5000 } }),
  rule({ id: 'r-relay', type: 'relay-expose', name: 'Expose', relay: 'rl-edge', target: { host: '127.0.0.1', port: 3000 }, remotePort: 20_001, kind: 'http' }),
];

const SECRETS = {
  sshPassword: (id: string) => (id === 'srv-lab-b' ? 'pw-LAB-B-7781' : undefined),
  sshPassphrase: (id: string) => (id === 'srv-bastion' ? 'pp-BASTION-3310' : undefined),
  relayToken: (id: string) => (id === 'rl-edge' ? 'tok-EDGE-9f2c1' : undefined),
  socksPassword: (id: string) => ({ 'r-dyn': 'sx-DYN-0042', 'r-socks': 'sx-SOCKS-0043' })[id],
};
const SECRET_VALUES = ['pw-LAB-B-7781', 'pp-BASTION-3310', 'tok-EDGE-9f2c1', 'sx-DYN-0042', 'sx-SOCKS-0043'];

const INPUT: ExportInput = { rules: RULES, servers: [unused, labB, labA, mid, bastion], relays: [idleRelay, edge], secrets: SECRETS };

interface ReadBack {
  servers: Record<string, unknown>[];
  relays: Record<string, unknown>[];
  rules: Record<string, unknown>[];
}

/** Reads a document back exactly as the importer does, failing on anything the schemas refuse. */
function readBack(res: ExportResult, format: 'yaml' | 'json'): ReadBack {
  const raw: unknown = format === 'json' ? JSON.parse(res.text) : parseYaml(res.text);
  const doc = PortholeDocSchema.parse(raw);
  expect(doc.porthole).toBe(1);
  expect(doc.exportedAt).toBe(NOW.toISOString());
  // The file holds exactly what the schemas yield: nothing is added or normalized on the way in.
  const servers = doc.servers.map((s) => {
    expect(DocServerSchema.parse(s)).toEqual(s);
    return s as Record<string, unknown>;
  });
  const relays = doc.relays.map((r) => {
    expect(DocRelaySchema.parse(r)).toEqual(r);
    return r as Record<string, unknown>;
  });
  const rules = doc.rules.map((r) => {
    const parsed = parseDocRule(r);
    if (!parsed.success) throw new Error(`rule does not parse: ${parsed.error.message}`);
    expect(parsed.data).toEqual(r);
    return r as Record<string, unknown>;
  });
  return { servers, relays, rules };
}

/** The saved rule as the document should hold it: no id, refs for ids, secret flags as exported. */
function expectedRule(r: Rule, refs: Record<string, string>, withSecrets: boolean): Record<string, unknown> {
  const { id, ...rest } = r;
  const out: Record<string, unknown> = { ...rest };
  if ('server' in r) out.server = refs[r.server];
  if (r.type === 'relay-expose') out.relay = refs[r.relay];
  if ('socks' in r) {
    out.socks = { ...r.socks, hasPassword: withSecrets };
    if (withSecrets) out.socksPassword = SECRETS.socksPassword(id);
  }
  return out;
}

const REFS = { 'srv-bastion': 'bastion', 'srv-mid': 'mid-hop', 'srv-lab-a': 'lab-box', 'srv-lab-b': 'lab-box-2', 'rl-edge': 'edge-relay' };

describe('buildExport: Porthole document', () => {
  for (const format of ['yaml', 'json'] as const) {
    it(`round-trips every rule type through the importer's schemas (${format})`, () => {
      const res = buildExport(INPUT, { format, now: NOW });
      expect(res.fileName).toBe(`porthole-export-2026-11-22.${format}`);
      expect(res.counts).toEqual({ rules: 8, servers: 4, relays: 1 });
      const back = readBack(res, format);
      expect(back.rules).toEqual(RULES.map((r) => expectedRule(r, REFS, false)));
      expect(back.rules.map((r) => Object.keys(r).slice(0, 2))).toEqual(RULES.map(() => ['type', 'name']));
    });
  }

  it('includes only the servers and relays the rules use, jump hosts transitively and first, with unique readable refs', () => {
    const back = readBack(buildExport(INPUT, { format: 'yaml', now: NOW }), 'yaml');
    expect(back.servers.map((s) => Object.keys(s)[0])).toEqual(['ref', 'ref', 'ref', 'ref']);
    expect(back.servers.map((s) => [s.ref, s.name, s.jump])).toEqual([
      ['bastion', 'Bastion', []],
      ['mid-hop', 'Mid hop', ['bastion']],
      ['lab-box', 'Lab box', ['bastion', 'mid-hop']],
      ['lab-box-2', 'Lab  Box!', []],
    ]);
    expect(back.relays.map((r) => r.ref)).toEqual(['edge-relay']);
    const { id: _id, ...labADraft } = labA;
    expect(back.servers[2]).toEqual({ ...labADraft, ref: 'lab-box', jump: ['bastion', 'mid-hop'] });
    const { id: _rid, ...edgeDraft } = edge;
    expect(back.relays[0]).toEqual({ ...edgeDraft, ref: 'edge-relay', hasToken: false });
  });

  it('includes a jump host reached only through another jump host', () => {
    const only = rule({ id: 'r-only', type: 'ssh-local', name: 'Through mid', server: 'srv-mid', listen: { host: '127.0.0.1', port: 2000 }, target: { host: 'x', port: 1 } });
    const back = readBack(buildExport({ ...INPUT, rules: [only] }, { format: 'json', now: NOW }), 'json');
    expect(back.servers.map((s) => s.ref)).toEqual(['bastion', 'mid-hop']);
    expect(back.relays).toEqual([]);
  });

  it('writes no secret without the opt-in, clears the has-secret flags and says what was left behind', () => {
    const res = buildExport(INPUT, { format: 'yaml', now: NOW });
    for (const v of SECRET_VALUES) expect(res.text).not.toContain(v);
    expect(res.text).not.toMatch(/^\s*(password|passphrase|token|socksPassword):/m);
    expect(res.text).toMatch(/^# No secrets: passwords, passphrases and tokens are not included\.$/m);
    expect(res.text).not.toContain('keep it private');
    const back = readBack(res, 'yaml');
    expect(back.servers.map((s) => s.auth)).toEqual([
      { method: 'key', keyPath: '/home/me/.ssh/id_bastion', hasPassphrase: false },
      { method: 'agent' },
      { method: 'agent' },
      { method: 'password', hasPassword: false },
    ]);
    expect(res.warnings).toEqual([
      'Secrets are not included: "Bastion" (key passphrase), "Lab  Box!" (password), "Edge relay" (token), "SOCKS" (SOCKS password), "Plain SOCKS" (SOCKS password) — enter them again after importing',
    ]);
  });

  it('writes the secrets when opted in, sets the flags and warns in the header', () => {
    const res = buildExport(INPUT, { format: 'yaml', includeSecrets: true, now: NOW });
    expect(res.warnings).toEqual([]);
    for (const v of SECRET_VALUES) expect(res.text).toContain(v);
    expect(res.text.split('\n').slice(0, 3)).toEqual([
      '# Porthole export: 8 mappings, 4 SSH servers, 1 relay.',
      `# Exported ${NOW.toISOString()}. Import this file into Porthole to recreate them.`,
      '# Contains secrets — keep it private.',
    ]);
    const back = readBack(res, 'yaml');
    expect(back.servers[0]).toMatchObject({ auth: { method: 'key', hasPassphrase: true }, passphrase: 'pp-BASTION-3310' });
    expect(back.servers[3]).toMatchObject({ auth: { method: 'password', hasPassword: true }, password: 'pw-LAB-B-7781' });
    expect(back.relays[0]).toMatchObject({ hasToken: true, token: 'tok-EDGE-9f2c1' });
    expect(back.rules).toEqual(RULES.map((r) => expectedRule(r, REFS, true)));
  });

  it('opted in but a secret is missing from the store: flag cleared, warning', () => {
    const res = buildExport({ ...INPUT, secrets: { ...SECRETS, relayToken: () => undefined } }, { format: 'json', includeSecrets: true, now: NOW });
    expect(res.warnings).toEqual(['"Edge relay": its token is not in the secret store, so it is not included']);
    expect(readBack(res, 'json').relays[0]).toMatchObject({ hasToken: false });
    expect(res.text).not.toContain('"token"');
  });

  it('leaves out a rule whose server or relay is not saved, naming it', () => {
    const lost = rule({ id: 'r-lost', type: 'ssh-local', name: 'Lost', server: 'srv-gone', listen: { host: '127.0.0.1', port: 1 }, target: { host: 'x', port: 1 } });
    const orphan = server({ id: 'srv-orphan', name: 'Orphan', host: 'o.example.com', jump: ['srv-gone'] });
    const viaOrphan = rule({ id: 'r-orphan', type: 'ssh-remote', name: 'Via orphan', server: 'srv-orphan', remote: { port: 0 }, target: { host: 'x', port: 1 } });
    const noRelay = rule({ id: 'r-norelay', type: 'relay-expose', name: 'No relay', relay: 'rl-gone', target: { host: 'x', port: 1 } });
    const res = buildExport({ rules: [lost, viaOrphan, noRelay, RULES[0]!], servers: [orphan], relays: [] }, { format: 'yaml', now: NOW });
    expect(res.warnings).toEqual([
      '"Lost" left out: its SSH server srv-gone is not a saved server',
      'SSH server "Orphan": its jump host srv-gone is not a saved server — left out',
      '"Via orphan" left out: its SSH server could not be exported',
      '"No relay" left out: its relay rl-gone is not a saved relay',
    ]);
    expect(readBack(res, 'yaml')).toMatchObject({ servers: [], relays: [], rules: [{ name: 'Web' }] });
  });

  it('keeps names with newlines, # and quotes as data: they cannot add a line or a key', () => {
    const evil = 'Evil\n  password: leaked # "x"\nrules: []';
    const srv = server({ id: 'srv-evil', name: evil, host: 'h.example.com' });
    const r = rule({ id: 'r-evil', type: 'ssh-local', name: evil, notes: '#!\n---\n...', server: 'srv-evil', listen: { host: '127.0.0.1', port: 1 }, target: { host: 'x', port: 1 } });
    const res = buildExport({ rules: [r], servers: [srv], relays: [] }, { format: 'yaml', now: NOW });
    const back = readBack(res, 'yaml');
    expect(back.servers).toMatchObject([{ name: evil, ref: 'evil-password-leaked-x-rules' }]);
    expect(back.rules).toMatchObject([{ name: evil, notes: '#!\n---\n...', server: 'evil-password-leaked-x-rules' }]);
  });
});

describe('buildExport: ssh_config', () => {
  const tmp = tempDir('porthole-export-');
  let n = 0;
  const readSsh = (text: string) => {
    const file = path.join(tmp.dir, `exported-${++n}.conf`);
    writeFileSync(file, text);
    return readSshConfigProfile(file, { home: tmp.dir, user: 'nobody' });
  };
  afterAll(() => tmp.cleanup());

  it('reads back through the ssh_config importer as the same servers and forwards', () => {
    const res = buildExport(INPUT, { format: 'ssh-config', now: NOW });
    expect(res.fileName).toBe('porthole-ssh-config-2026-11-22.conf');
    expect(res.counts).toEqual({ rules: 4, servers: 4, relays: 0 });
    const p = readSsh(res.text);
    expect(p.warnings).toEqual([
      expect.stringMatching(/:\d+: RemoteForward "0\.0\.0\.0:9000 localhost:3000" asks the SSH server to listen on all its interfaces$/),
      'lab-box-2: StrictHostKeyChecking no: any host key is accepted, even a changed one',
    ]);
    const name = Object.fromEntries(p.servers.map((s) => [s.ref, s.name]));
    const servers = p.servers.map(({ ref: _ref, ...s }) => ({ ...s, jump: s.jump.map((j) => name[j]) }));
    const expected = [bastion, mid, labA, labB].map(({ id: _id, ...s }) => ({
      ...s,
      name: REFS[_id as keyof typeof REFS],
      jump: s.jump.map((j) => REFS[j as keyof typeof REFS]),
      auth: s.auth.method === 'key' ? { ...s.auth, hasPassphrase: false } : { method: 'agent' },
    }));
    expect(servers).toEqual(expected);
    const rules = p.rules.map((r) => {
      const { name: _n, enabled: _e, autoStart: _a, tags: _t, ...rest } = r;
      return { ...rest, server: 'server' in r ? name[r.server] : undefined };
    });
    expect(rules).toEqual([
      { type: 'ssh-local', server: 'lab-box', listen: { host: '127.0.0.1', port: 15432 }, target: { host: 'db.internal', port: 5432 } },
      { type: 'ssh-local', server: 'lab-box', listen: { host: '::1', port: 15433 }, target: { host: '2001:db8::10', port: 5432 } },
      { type: 'ssh-remote', server: 'lab-box-2', remote: { host: '0.0.0.0', port: 9000 }, target: { host: 'localhost', port: 3000 } },
      { type: 'ssh-dynamic', server: 'lab-box-2', listen: { host: '127.0.0.1', port: 1080 }, socks: { hasPassword: false, connectTimeoutMs: 10_000 } },
    ]);
  });

  it('writes OpenSSH syntax: explicit 127.0.0.1, [v6]:port, ProxyJump aliases, host key policies, comments above forwards', () => {
    const res = buildExport(INPUT, { format: 'ssh-config', includeSecrets: true, now: NOW });
    const blocks = res.text.split('\n\n');
    expect(blocks[0]).toMatch(/^# OpenSSH client config exported by Porthole on .*: 4 SSH tunnels, 4 hosts\./);
    expect(blocks.slice(1)).toEqual([
      '# Bastion\nHost bastion\n  HostName bastion.example.com\n  Port 2222\n  User alice\n  IdentityFile /home/me/.ssh/id_bastion\n  ServerAliveInterval 15\n  ServerAliveCountMax 3\n  StrictHostKeyChecking ask',
      '# Mid hop\nHost mid-hop\n  HostName 10.0.0.7\n  User alice\n  ProxyJump bastion\n  ServerAliveInterval 15\n  ServerAliveCountMax 3\n  StrictHostKeyChecking yes',
      [
        '# Lab box\nHost lab-box\n  HostName lab.internal\n  User alice\n  ProxyJump bastion,mid-hop\n  ServerAliveInterval 30\n  ServerAliveCountMax 5\n  StrictHostKeyChecking accept-new',
        '  # DB\n  LocalForward 127.0.0.1:15432 db.internal:5432',
        '  # DB over v6\n  LocalForward [::1]:15433 [2001:db8::10]:5432',
      ].join('\n'),
      [
        '# Lab  Box!\nHost lab-box-2\n  HostName 2001:db8::5\n  User bob\n  ServerAliveInterval 15\n  ServerAliveCountMax 3\n  StrictHostKeyChecking no',
        '  # Share dev\n  RemoteForward 0.0.0.0:9000 localhost:3000',
        '  # SOCKS\n  DynamicForward 127.0.0.1:1080\n',
      ].join('\n'),
    ]);
    for (const v of SECRET_VALUES) expect(res.text).not.toContain(v);
    expect(res.warnings).toEqual([
      '4 mappings are not SSH tunnels: ssh_config has no form for them; left out: "Web" (tcp-forward), "DNS" (udp-forward), "Plain SOCKS" (socks), "Expose" (relay-expose)',
      'ssh_config has no place for passwords, passphrases or tokens: none are written',
      'SSH server "Lab  Box!": uses password authentication: ssh_config cannot hold a password, so ssh will ask for it',
      '"SOCKS": ssh_config has no SOCKS username or password: its DynamicForward lets in anyone who can reach 127.0.0.1:1080',
    ]);
  });

  it('quotes paths with spaces, #, quotes, % and backslashes so they read back unchanged', () => {
    const paths = ['/home/me/my keys/id #1', '/home/me/we"ird\'s/%h', 'C:\\Users\\me\\.ssh\\id_ed25519', '\\\\nas\\share\\key\\'];
    const servers = paths.map((keyPath, i) => server({ id: `s${i}`, name: `K${i}`, host: `k${i}.example.com`, auth: { method: 'key', keyPath }, knownHostsFile: `${keyPath}.known` }));
    const rules = servers.map((s, i) => rule({ id: `r${i}`, type: 'ssh-dynamic', name: `D${i}`, server: s.id, listen: { host: '127.0.0.1', port: 1000 + i } }));
    const p = readSsh(buildExport({ rules, servers, relays: [] }, { format: 'ssh-config', now: NOW }).text);
    expect(p.servers.map((s) => [s.auth, s.knownHostsFile])).toEqual(paths.map((keyPath) => [{ method: 'key', keyPath, hasPassphrase: false }, `${keyPath}.known`]));
    expect(p.rules).toHaveLength(4);
  });

  it('a name with a newline cannot inject a line into the config', () => {
    const evil = 'x\nProxyCommand touch /tmp/pwned\r\nLocalForward 1 evil:1';
    const s = server({ id: 'se', name: evil, host: 'h.example.com' });
    const r = rule({ id: 're', type: 'ssh-local', name: evil, server: 'se', listen: { host: '127.0.0.1', port: 7000 }, target: { host: 'in', port: 80 } });
    const res = buildExport({ rules: [r], servers: [s], relays: [] }, { format: 'ssh-config', now: NOW });
    for (const line of res.text.split('\n')) expect(line).toMatch(/^(# .*|Host \S+| {2}# .*| {2}[A-Z][A-Za-z]+ [^#\s]+( [^#\s]+)?|)$/);
    expect(res.text).not.toMatch(/^\s*ProxyCommand/m);
    const p = readSsh(res.text);
    expect(p.rules.map((x) => 'target' in x && x.target)).toEqual([{ host: 'in', port: 80 }]);
    expect(p.warnings).toEqual([]);
  });

  it('names the first hop as user@host:port when its own jump hosts are not on this route', () => {
    // mid jumps through bastion, but this server goes to mid directly and then on.
    const direct = server({ id: 'srv-direct', name: 'Direct', host: 'd.internal', jump: ['srv-mid'] });
    const r = rule({ id: 'rd', type: 'ssh-local', name: 'R', server: 'srv-direct', listen: { host: '127.0.0.1', port: 7001 }, target: { host: 'x', port: 1 } });
    const res = buildExport({ rules: [r], servers: [bastion, mid, direct], relays: [] }, { format: 'ssh-config', now: NOW });
    expect(res.text).toContain('\n  ProxyJump alice@10.0.0.7:22\n');
    expect(res.warnings).toEqual([expect.stringMatching(/^SSH server "Direct": its first jump host "Mid hop" has jump hosts of its own/)]);
    const p = readSsh(res.text);
    const d = p.servers.find((x) => x.name === 'direct')!;
    expect(p.servers.filter((x) => d.jump.includes(x.ref)).map((x) => [x.host, x.port, x.user])).toEqual([['10.0.0.7', 22, 'alice']]);
  });
});
