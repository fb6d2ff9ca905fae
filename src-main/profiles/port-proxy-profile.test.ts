import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPortProxyProfile, readPortProxyText, realignItemKeys } from './port-proxy-profile';
import { expectReturnsOrUsageError, expectValid, fixture, mutations, tmpWriter, usageError } from '../../test-support/relay-import-helpers';

const write = tmpWriter('porthole-pp-');
const SEED_AGENTS = [
  {
    name: 'remote_client1',
    ports: [
      { type: 'http', bind: { host: '127.0.0.1', port: 6688 }, remotePort: 17211 },
      { type: 'tcp', bind: { host: '127.0.0.1', port: 6689 }, remotePort: 17210 },
    ],
  },
  {
    name: 'remote_client2',
    ports: [
      { type: 'http', bind: { host: '127.0.0.1', port: 6678 }, remotePort: 17211 },
      { type: 'tcp', bind: { host: '127.0.0.1', port: 6679 }, remotePort: 17210 },
    ],
  },
];

describe('port-proxy server YAML', () => {
  it("reads the seed's server config (correctly indented) exactly", () => {
    const f = fixture('port-proxy', 'server.yaml');
    const r = readPortProxyProfile(f);
    expectValid(r);
    expect(r).toEqual({
      format: 'port-proxy-server',
      relays: [],
      exposes: [],
      relayServer: { bind: { host: '0.0.0.0', port: 9015 }, agents: SEED_AGENTS },
      warnings: [`${f}: no "token": Porthole's relay requires a shared token per agent; set one before running it`],
    });
  });

  it("reads the seed's server config as printed (mis-indented) and says it realigned it", () => {
    const f = fixture('port-proxy', 'seed-server-as-printed.yaml');
    const r = readPortProxyProfile(f);
    expect(r.relayServer).toEqual({ bind: { host: '0.0.0.0', port: 9015 }, agents: SEED_AGENTS });
    expect(r.warnings[0]).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: not valid YAML: .*aligned to its first key`));
  });

  it('reads the Porthole extension (token, IPv6, flow maps, BOM, CRLF, tabs) with warnings for the rest', () => {
    const f = fixture('port-proxy', 'server-porthole.yaml');
    const bytes = readFileSync(f);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('\t# all interfaces');
    expect(bytes.toString('utf8')).toContain('\r\n');
    const r = readPortProxyProfile(f);
    expectValid(r);
    expect(r).toEqual({
      format: 'port-proxy-server',
      relays: [],
      exposes: [],
      relayServer: {
        bind: { host: '::', port: 9015 },
        agents: [
          {
            name: 'nas',
            ports: [
              { type: 'tcp', bind: { host: '0.0.0.0', port: 2222 }, remotePort: 22 },
              { type: 'http', bind: { host: '::1', port: 8080 }, remotePort: 80 },
            ],
          },
          { name: 'printer', ports: [] },
        ],
        token: 's3cret-token',
      },
      warnings: [
        `${f}:5: unknown key "log_level" ignored`,
        `${f}:13: unknown key "comment" ignored`,
        `${f}:14: type "udp" is not supported (tcp or http); this port is skipped`,
        `${f}:17: remote_name "nas" appears twice; this entry is skipped`,
        `${f}:19: remote_name "printer" has no port_list: nothing is exposed for it`,
      ],
    });
  });

  it('reads :PORT as every interface and skips a public port used twice', () => {
    const f = write('bind: ":9015"\nproxy:\n  - remote_name: a\n    port_list:\n      - {type: tcp, bind: "0.0.0.0:7000", remote: 1}\n  - remote_name: b\n    port_list:\n      - {type: tcp, bind: "127.0.0.1:7000", remote: 2}\n', 'dup.yaml');
    const r = readPortProxyProfile(f);
    expect(r.relayServer!.bind).toEqual({ host: '0.0.0.0', port: 9015 });
    expect(r.relayServer!.agents).toEqual([
      { name: 'a', ports: [{ type: 'tcp', bind: { host: '0.0.0.0', port: 7000 }, remotePort: 1 }] },
      { name: 'b', ports: [] },
    ]);
    expect(r.warnings).toContain(`${f}:8: bind 127.0.0.1:7000 is already used by an earlier port; this port is skipped`);
  });
});

describe('port-proxy client YAML', () => {
  it("reads the seed's client config exactly (also as printed)", () => {
    for (const name of ['client.yaml', 'seed-client-as-printed.yaml']) {
      const f = fixture('port-proxy', name);
      const r = readPortProxyProfile(f);
      expectValid(r);
      expect(r).toEqual({
        format: 'port-proxy-client',
        relays: [{ ref: expect.stringMatching(/^relay-127-0-0-1-[0-9a-f]{8}$/), name: 'remote_client1 @ 127.0.0.1:9015', host: '127.0.0.1', port: 9015, agentName: 'remote_client1' }],
        exposes: [],
        warnings: [`${f}: the relay's own config decides which ports agent "remote_client1" exposes; no expose rules imported`],
      });
    }
  });

  it('reads token, tls and an IPv6 server (BOM, CRLF, unknown key)', () => {
    const f = fixture('port-proxy', 'client-porthole.yaml');
    const r = readPortProxyProfile(f);
    expectValid(r);
    expect(r.relays).toEqual([
      { ref: expect.stringMatching(/^relay-2001-db8-7-[0-9a-f]{8}$/), name: 'nas @ [2001:db8::7]:9015', host: '2001:db8::7', port: 9015, token: 's3cret-token', tls: true, agentName: 'nas' },
    ]);
    expect(r.warnings).toEqual([`${f}:6: unknown key "retry" ignored`, `${f}: the relay's own config decides which ports agent "nas" exposes; no expose rules imported`]);
  });

  it('gives the same ref for the same relay and agent, another for another agent', () => {
    const a = readPortProxyText('name: x\nserver: h.example:1\n', 'a.yaml').relays[0]!.ref;
    const b = readPortProxyText('# comment\nname: "x"\nserver: "h.example:1"\n', 'b.yaml').relays[0]!.ref;
    const c = readPortProxyText('name: y\nserver: h.example:1\n', 'c.yaml').relays[0]!.ref;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('port-proxy: bad input', () => {
  const cases: Array<[string, RegExp]> = [
    ['bind: 0.0.0.0:9015\nproxy:\n  - remote_name: a\n    port_list:\n      - type: tcp\n        bind: [\n', /^x\.yaml:7: not valid YAML/],
    ['bind: 1.2.3.4:1\nbind: 1.2.3.4:2\n', /^x\.yaml:2: not valid YAML: Map keys must be unique/],
    ['a: 1\n---\nb: 2\n', /^x\.yaml:\d: not valid YAML/],
    ['', /^x\.yaml: the file is empty/],
    ['- 1\n- 2\n', /^x\.yaml:1: expected a mapping/],
    ['foo: 1\n', /^x\.yaml: neither a port-proxy server config/],
    ['proxy: []\n', /^x\.yaml: server config: missing "bind"/],
    ['bind: 9015\nproxy: []\n', /^x\.yaml:1: bind: "9015" has no host/],
    ['bind: 0.0.0.0:99999\n', /^x\.yaml:1: bind "0\.0\.0\.0:99999": port 99999 is out of range/],
    ['bind: 0.0.0.0:1\nproxy: {a: 1}\n', /^x\.yaml:2: proxy: expected a list/],
    ['bind: 0.0.0.0:1\nproxy:\n  - port_list: []\n', /^x\.yaml:3: proxy entry: missing "remote_name"/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    port_list:\n      - type: tcp\n        bind: 127.0.0.1:2\n        remote: http\n', /^x\.yaml:7: remote "http": not a port number/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    port_list:\n      - type: tcp\n        remote: 3\n', /^x\.yaml:5: port_list entry: missing "bind"/],
    ['name: a\nserver: nohost\n', /^x\.yaml:2: server: "nohost" has no port/],
    ['name: a\nserver: "::1:9015"\n', /^x\.yaml:2: server: "::1:9015": put an IPv6 address in brackets/],
    ['name: [1, 2]\nserver: h:1\n', /^x\.yaml:1: name: expected a value/],
    ['server: h:1\n', /^x\.yaml: client config: missing "name"/],
    ['name: a\nserver: h:1\ntls: "yes"\n', /^x\.yaml:3: tls: expected true or false/],
  ];
  it.each(cases)('%j → UsageError', (text, re) => {
    expect(usageError(() => readPortProxyText(text, 'x.yaml'))).toMatch(re);
  });

  it('refuses binary data, files over 1 MiB and missing files', () => {
    expect(usageError(() => readPortProxyProfile(write(Buffer.from('name: a\0\n'), 'nul.yaml')))).toMatch(/binary data \(NUL bytes\)/);
    expect(usageError(() => readPortProxyProfile(write(`# ${'x'.repeat(1024 * 1024)}\n`, 'big.yaml')))).toMatch(/larger than 1 MiB/);
    expect(usageError(() => readPortProxyProfile(fixture('port-proxy', 'nope.yaml')))).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it('refuses a YAML alias bomb (billion laughs) quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const p = String.fromCharCode(96 + i);
      const c = String.fromCharCode(97 + i);
      levels.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    const bomb = `bind: 0.0.0.0:1\n${levels.join('\n')}\nproxy:\n  - remote_name: *j\n`;
    const t = performance.now();
    expect(usageError(() => readPortProxyText(bomb, 'bomb.yaml'))).toMatch(/^bomb\.yaml: too many YAML aliases/);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('never runs custom tags (YAML 1.2 core schema only)', () => {
    const r = readPortProxyText('name: !!js/function "function(){}"\nserver: h:1\n', 'tag.yaml');
    expect(r.relays[0]!.agentName).toBe('function(){}');
  });
});

describe('realignItemKeys', () => {
  it('leaves valid YAML alone and realigns the README shape', () => {
    const good = 'proxy:\n- remote_name: a\n  port_list:\n  - type: tcp\n    bind: x\n';
    expect(realignItemKeys(good)).toBe(good);
    expect(realignItemKeys('proxy:\n- remote_name: a\n    port_list:\n    - type: tcp\n        bind: x\n')).toBe(good);
  });
});

describe('port-proxy: fuzz', () => {
  const sources = ['server.yaml', 'seed-server-as-printed.yaml', 'server-porthole.yaml', 'client-porthole.yaml'].map((n) => readFileSync(fixture('port-proxy', n), 'utf8'));
  it('300 mutations: a valid result or a UsageError, nothing else', () => {
    for (const [i, m] of sources.flatMap((s, k) => mutations(s, 1000 + k, 75)).entries()) {
      expectReturnsOrUsageError(() => readPortProxyText(m, `fuzz-${i}.yaml`), m);
    }
  });
});
