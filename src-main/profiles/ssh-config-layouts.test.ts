import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from './detect-format';
import { readImportFile, readImportText } from './import-bundle';

// ssh_configs as people have them (issue 15): recognised by grammar, Include-only layouts, agent keys
// named by their .pub, every forward syntax OpenSSH accepts, nothing dropped without a word.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'porthole-ssh-layouts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function home(files: Record<string, string>): string {
  const h = path.join(tmp, `home-${++n}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(h, rel)), { recursive: true });
    writeFileSync(path.join(h, rel), text);
  }
  return h;
}
const read = (text: string, name = 'config') => readImportText(text, name, { home: tmp, user: 'me' });

describe('an ssh_config is recognised by its grammar, not by having a forward', () => {
  const INCLUDE_ONLY = 'Include config.d/*\n\nHost *\n  AddKeysToAgent yes\n  UseKeychain yes\n  IdentitiesOnly yes\n';

  it('a config of only Include and Host * options is an ssh_config, by name and by content', () => {
    expect(detectFormat(INCLUDE_ONLY, 'config')).toBe('ssh-config');
    expect(detectFormat(INCLUDE_ONLY, 'pasted.txt')).toBe('ssh-config');
    expect(detectFormat('Host *\n  ForwardAgent yes\n  Compression yes\n', 'x')).toBe('ssh-config');
    // Other formats are not mistaken for one.
    expect(detectFormat('serverAddr = "1.2.3.4"\nuser = "me"\n[[proxies]]\nname = "a"\n', 'frpc.toml')).toBe('frpc-toml');
    expect(detectFormat('user = "me"\nport = 1\nfoo = 2\nbar = 3\n', 'x.toml')).toBeUndefined();
  });

  it('its Includes are followed from ~/.ssh (globs, nested); a config with no forwards imports its servers and says so', () => {
    const h = home({
      '.ssh/config': INCLUDE_ONLY,
      '.ssh/config.d/10-work': 'Host build\n  HostName build.example.com\n  Include nested/*.conf\n',
      '.ssh/nested/a.conf': 'Host db\n  HostName db.example.com\n',
    });
    const b = readImportFile(path.join(h, '.ssh/config'), { home: h, user: 'me' });
    expect(b.format).toBe('ssh-config');
    expect(b.servers.map((s) => s.name)).toEqual(['build', 'db']);
    expect(b.rules).toEqual([]);
    expect(b.warnings).toContain(`${path.join(h, '.ssh/config')}: no LocalForward, RemoteForward or DynamicForward for the hosts named here: 2 SSH servers imported, no mappings`);
    expect(b.warnings).toContain(`${path.join(h, '.ssh/config')}:5: UseKeychain is not carried over — set for every host (2)`);
  });

  it('Include globs in directories too, as OpenSSH (glob(3)) does; nesting stops at 16 levels', () => {
    const h = home({
      '.ssh/config': 'Include ~/.ssh/*/config\n',
      '.ssh/colima/config': 'Host colima\n  HostName 127.0.0.1\n  Port 50022\n',
      '.ssh/orb/config': 'Host orb\n  HostName 127.0.0.1\n  Port 32222\n',
      '.ssh/loop': 'Include loop\n',
    });
    const b = readImportFile(path.join(h, '.ssh/config'), { home: h, user: 'me' });
    expect(b.servers.map((s) => [s.name, s.port])).toEqual([
      ['colima', 50022],
      ['orb', 32222],
    ]);
    writeFileSync(path.join(h, '.ssh/config2'), 'Include loop\n');
    expect(() => readImportFile(path.join(h, '.ssh/config2'), { home: h, user: 'me' })).toThrow(/includes nested more than 16 deep \(does a file include itself\?\)/);
  });

  it('a missing Include is warned about, and a config of Host * alone imports nothing with a note', () => {
    const h = home({ '.ssh/config': 'Include nothing-here.conf\nHost *\n  ServerAliveInterval 30\n' });
    const f = path.join(h, '.ssh/config');
    const b = readImportFile(f, { home: h, user: 'me' });
    expect(b.servers).toEqual([]);
    expect(b.warnings).toEqual([
      `${f}:1: Include "nothing-here.conf": ${path.join(h, '.ssh/nothing-here.conf')} does not exist; skipped`,
      `${f}: no Host line names a single host (only patterns such as "Host *"), and no LocalForward, RemoteForward or DynamicForward: nothing to import`,
    ]);
  });
});

describe('authentication as OpenSSH reads it', () => {
  it('IdentityAgent: a path (with ~ and ${VAR}), SSH_AUTH_SOCK (the default agent) or none; IdentityFile x.pub selects that agent key', () => {
    const h = home({ '.ssh/id_ed25519.pub': 'ssh-ed25519 AAAA x\n', '.ssh/only_pub.pub': 'ssh-ed25519 AAAA y\n' });
    process.env.PORTHOLE_TEST_AGENT_DIR = '/run/agents';
    try {
      const b = readImportText(
        'Host a\n  IdentityAgent ~/.1password/agent.sock\n  IdentityFile ~/.ssh/id_ed25519.pub\n  IdentitiesOnly yes\n' +
          'Host b\n  IdentityAgent ${PORTHOLE_TEST_AGENT_DIR}/gpg.sock\nHost c\n  IdentityAgent SSH_AUTH_SOCK\n  IdentityFile ~/.ssh/only_pub\n' +
          'Host d\n  IdentityAgent none\n  IdentityFile ~/.ssh/id_ed25519.pub\n',
        'config',
        { home: h, user: 'me' },
      );
      expect(b.servers.map((s) => [s.name, s.auth])).toEqual([
        ['a', { method: 'agent', socket: path.join(h, '.1password/agent.sock'), publicKeyPath: path.join(h, '.ssh/id_ed25519.pub'), identitiesOnly: true }],
        ['b', { method: 'agent', socket: '/run/agents/gpg.sock' }],
        ['c', { method: 'agent', publicKeyPath: path.join(h, '.ssh/only_pub.pub') }],
        ['d', { method: 'agent', publicKeyPath: path.join(h, '.ssh/id_ed25519.pub') }],
      ]);
      expect(b.warnings.filter((w) => /IdentityAgent none/.test(w))).toEqual(['d: IdentityFile "~/.ssh/id_ed25519.pub" names a public key, whose private half only an agent has, but IdentityAgent none turns the agent off (config:12)']);
    } finally {
      delete process.env.PORTHOLE_TEST_AGENT_DIR;
    }
  });
});

describe('every forward syntax OpenSSH accepts', () => {
  it('brackets around IPv4 and names as well as IPv6, as ssh -G prints them', () => {
    const b = read('Host h\n  LocalForward 10022 [127.0.0.1]:22\n  LocalForward [127.0.0.1]:10023 [localhost]:23\n  LocalForward [::1]:10024 [::1]:24\n  RemoteForward [127.0.0.1]:2025 [127.0.0.1]:25\n');
    expect(b.rules.map((r) => [r.type, 'listen' in r ? r.listen : r.type === 'ssh-remote' ? r.remote : undefined, 'target' in r ? r.target : undefined])).toEqual([
      ['ssh-local', { host: '127.0.0.1', port: 10022 }, { host: '127.0.0.1', port: 22 }],
      ['ssh-local', { host: '127.0.0.1', port: 10023 }, { host: 'localhost', port: 23 }],
      ['ssh-local', { host: '::1', port: 10024 }, { host: '::1', port: 24 }],
      ['ssh-remote', { host: '127.0.0.1', port: 2025 }, { host: '127.0.0.1', port: 25 }],
    ]);
  });

  it('`*:` and an empty bind address listen on every interface; GatewayPorts yes does too for a bare port', () => {
    const b = read('Host h\n  GatewayPorts yes\n  LocalForward *:1 a:1\n  LocalForward :2 a:2\n  DynamicForward 3\n  LocalForward localhost:4 a:4\n');
    expect(b.rules.map((r) => ('listen' in r ? r.listen : undefined))).toEqual([
      { host: '0.0.0.0', port: 1 },
      { host: '0.0.0.0', port: 2 },
      { host: '0.0.0.0', port: 3 },
      { host: 'localhost', port: 4 },
    ]);
    expect(b.warnings.filter((w) => /GatewayPorts yes/.test(w))).toEqual(['h: DynamicForward "3" (config:5) listens on all interfaces because of GatewayPorts yes (config:2), reachable from other machines']);
  });

  it('unix-socket forwards are reported as unsupported, one warning per line', () => {
    const b = read('Host h\n  LocalForward /tmp/a.sock /run/b.sock\n  RemoteForward 8080 /run/app.sock\n  LocalForward 1 a:1\n');
    expect(b.rules).toHaveLength(1);
    expect(b.warnings.filter((w) => /Unix-socket/.test(w))).toEqual([
      'config:2: LocalForward "/tmp/a.sock /run/b.sock": Unix-socket forwards are not supported; skipped',
      'config:3: RemoteForward "8080 /run/app.sock": Unix-socket forwards are not supported; skipped',
    ]);
  });
});

describe('nothing is dropped without a word', () => {
  it('options not carried over are listed once per file with their hosts; off values are not', () => {
    const b = read('Host gpu1 gpu2\n  ForwardAgent yes\n  RemoteCommand tmux attach\nHost gpu3\n  ForwardAgent no\n  HostKeyAlgorithms +ssh-rsa\nHost *\n  ForwardAgent yes\n');
    expect(b.warnings).toEqual([
      'config:2: ForwardAgent is not carried over (Porthole never forwards your agent) — set for gpu1, gpu2',
      'config:3: RemoteCommand is not carried over (Porthole runs no remote command, it only forwards) — set for gpu1, gpu2',
      "config:6: HostKeyAlgorithms is not carried over (Porthole offers its SSH library's algorithms) — set for gpu3",
      'config: no LocalForward, RemoteForward or DynamicForward for the hosts named here: 3 SSH servers imported, no mappings',
    ]);
  });

  it('wildcard Host blocks: forwards under a pattern no named host matches are reported, patterns that do match are used', () => {
    const b = read('Host corp-*\n  LocalForward 5432 db:5432\n  LocalForward 6379 cache:6379\nHost gpu?\n  User ml\nHost web-*\n  LocalForward 8080 localhost:80\nHost web-1\n  HostName 10.0.0.5\n');
    expect(b.rules.map((r) => r.name)).toEqual(['web-1: L 8080 → localhost:80']);
    expect(b.warnings.slice(0, 2)).toEqual([
      'config:1: Host corp-* holds 2 forwards but names no single host, and no host named in this config matches it: the forwards are not imported — add a Host line naming each host (Host db1 db2) to import them',
      'config:4: Host gpu? matches no host named in this config: its options are not imported — name each host in a Host line of its own',
    ]);
  });

  it('one global option read for 30 hosts gives one warning naming them, not 30', () => {
    const hosts = Array.from({ length: 30 }, (_, i) => `Host h${i}\n  HostName 10.0.0.${i + 1}\n`).join('');
    const b = read(`ServerAliveInterval 3600\n${hosts}`);
    const keepalive = b.warnings.filter((w) => /ServerAliveInterval/.test(w));
    expect(keepalive).toEqual(['h0, h1, h2, h3, h4 and 25 more: ServerAliveInterval 3600 is longer than Porthole allows; using 600 seconds']);
  });
});
