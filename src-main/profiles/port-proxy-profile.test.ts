import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPortProxyProfile, readPortProxyText, realignItemKeys } from './port-proxy-profile';
import { expectReturnsOrProfileError, expectValid, fixture, mutations, tmpWriter, profileError } from '../../test-support/relay-import-helpers';

const write = tmpWriter('porthole-pp-');
const SEED_AGENTS = [
  {
    name: 'remote_client1',
    ports: [
      { type: 'http', bind: { host: '127.0.0.1', port: 6688 }, remotePort: 17211 },
      { type: 'tcp', bind: { host: '127.0.0.1', port: 6689 }, remotePort: 17210 },
    ],
    allowPorts: [],
  },
  {
    name: 'remote_client2',
    ports: [
      { type: 'http', bind: { host: '127.0.0.1', port: 6678 }, remotePort: 17211 },
      { type: 'tcp', bind: { host: '127.0.0.1', port: 6679 }, remotePort: 17210 },
    ],
    allowPorts: [],
  },
];
const NO_TOKEN = (f: string) =>
  `${f}: no "token": Porthole's relay requires a token for every agent and "remote_client1", "remote_client2" have none; set a shared "token" or one per agent before running it`;
const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

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
      warnings: [NO_TOKEN(f)],
    });
  });

  it("reads the seed's server config as printed (mis-indented) and says it realigned it", () => {
    const f = fixture('port-proxy', 'seed-server-as-printed.yaml');
    const r = readPortProxyProfile(f);
    expect(r.relayServer).toEqual({ bind: { host: '0.0.0.0', port: 9015 }, agents: SEED_AGENTS });
    expect(r.warnings[0]).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: not valid YAML: .*aligned to its first key`));
    expect(r.warnings.slice(1)).toEqual([NO_TOKEN(f)]);
  });

  it("reads the seed's README pair as printed with tokens (shared, per agent) and allow_ports added", () => {
    const f = fixture('port-proxy', 'seed-server-as-printed-token.yaml');
    const r = readPortProxyProfile(f);
    expectValid(r);
    expect(r.relayServer).toEqual({
      bind: { host: '0.0.0.0', port: 9015 },
      token: 'shared-s3cret',
      agents: [
        { ...SEED_AGENTS[0]!, token: 'client1-s3cret', allowPorts: [{ from: 8080, to: 8080 }, { from: 20000, to: 20100 }] },
        SEED_AGENTS[1],
      ],
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/:7: not valid YAML: .*aligned to its first key/);
    const c = fixture('port-proxy', 'seed-client-as-printed-token.yaml');
    const rc = readPortProxyProfile(c);
    expectValid(rc);
    expect(rc.relays).toEqual([
      { ref: expect.stringMatching(/^relay-127-0-0-1-[0-9a-f]{8}$/), name: 'remote_client1 @ 127.0.0.1:9015', host: '127.0.0.1', port: 9015, token: 'client1-s3cret', agentName: 'remote_client1' },
    ]);
    expect(rc.warnings).toEqual([`${c}: the relay's own config decides which ports agent "remote_client1" exposes; no expose rules imported`]);
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
              { type: 'udp', bind: { host: '0.0.0.0', port: 5353 }, remotePort: 53 },
            ],
            allowPorts: [],
          },
          { name: 'printer', ports: [], allowPorts: [] },
        ],
        token: 's3cret-token',
        tls: true,
      },
      warnings: [
        `${f}:5: unknown key "log_level" ignored`,
        `${f}:13: unknown key "comment" ignored`,
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
      { name: 'a', ports: [{ type: 'tcp', bind: { host: '0.0.0.0', port: 7000 }, remotePort: 1 }], allowPorts: [] },
      { name: 'b', ports: [], allowPorts: [] },
    ]);
    expect(r.warnings).toContain(`${f}:8: bind 127.0.0.1:7000 is already used by an earlier port; this port is skipped`);
  });

  it("reads Porthole's relay extension: public_host, metrics, per-agent token and allow_ports, udp ports", () => {
    const f = fixture('port-proxy', 'relay-porthole.yaml');
    const r = readPortProxyProfile(f);
    expectValid(r);
    expect(r).toEqual({
      format: 'port-proxy-server',
      relays: [],
      exposes: [],
      relayServer: {
        bind: { host: '0.0.0.0', port: 9015 },
        token: 'shared-s3cret',
        tls: true,
        publicHost: 'relay.example.com',
        metrics: { host: '127.0.0.1', port: 9100 },
        agents: [
          {
            name: 'nas',
            token: 'nas-s3cret',
            ports: [
              { type: 'tcp', bind: { host: '0.0.0.0', port: 2222 }, remotePort: 22 },
              { type: 'udp', bind: { host: '0.0.0.0', port: 5353 }, remotePort: 53 },
              { type: 'udp', bind: { host: '0.0.0.0', port: 2222 }, remotePort: 2222 },
            ],
            allowPorts: [
              { from: 8080, to: 8080 },
              { from: 20000, to: 20100 },
              { from: 30000, to: 30000 },
            ],
          },
          { name: 'laptop', ports: [], allowPorts: [{ from: 40000, to: 40010 }] },
        ],
      },
      warnings: [`${f}:15: remote_name "laptop" has no port_list: nothing is exposed for it until it asks`],
    });
  });

  it('warns about tokens only when an agent has neither its own nor the shared one, naming it', () => {
    const yaml = (shared: string, bTok: string) =>
      `bind: 0.0.0.0:1\n${shared}proxy:\n  - remote_name: a\n    token: ta\n    port_list: []\n  - remote_name: b\n${bTok}    port_list: []\n`;
    const noToken = (r: { warnings: string[] }) => r.warnings.filter((w) => w.includes('no "token"'));
    expect(noToken(readPortProxyText(yaml('', '    token: tb\n'), 'x.yaml'))).toEqual([]);
    expect(noToken(readPortProxyText(yaml('token: t\n', ''), 'x.yaml'))).toEqual([]);
    expect(noToken(readPortProxyText(yaml('', ''), 'x.yaml'))).toEqual([
      `x.yaml: no "token": Porthole's relay requires a token for every agent and "b" has none; set a shared "token" or one per agent before running it`,
    ]);
  });

  it('keeps tokens and ports as written (YAML would read 0012 as the number 12)', () => {
    const r = readPortProxyText('bind: 0.0.0.0:1\ntoken: 0012\nproxy:\n  - remote_name: a\n    token: 1e3\n', 'x.yaml');
    expect(r.relayServer!.token).toBe('0012');
    expect(r.relayServer!.agents[0]!.token).toBe('1e3');
    expect(profileError(() => readPortProxyText('bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports: [0x50]\n', 'x.yaml'))).toBe(
      'x.yaml:4: allow_ports "0x50": not a port (8080) or a range (20000-20100)',
    );
  });

  it('accepts metrics on any loopback address and refuses the rest', () => {
    for (const [m, host] of [['127.0.0.1:9100', '127.0.0.1'], ['127.8.9.10:9100', '127.8.9.10'], ['"[::1]:9100"', '::1'], ['localhost:9100', 'localhost']] as const) {
      expect(readPortProxyText(`bind: 0.0.0.0:9015\nmetrics: ${m}\n`, 'x.yaml').relayServer!.metrics).toEqual({ host, port: 9100 });
    }
    for (const m of ['0.0.0.0:9100', '":9100"', '192.168.1.2:9100', '"[::]:9100"', 'metrics.example.com:9100']) {
      expect(profileError(() => readPortProxyText(`bind: 0.0.0.0:9015\ntoken: t\nmetrics: ${m}\n`, 'x.yaml'))).toMatch(/^x\.yaml:3: metrics .*: metrics must listen on loopback/);
    }
    expect(profileError(() => readPortProxyText('bind: 0.0.0.0:9015\nmetrics: 127.0.0.1:9015\n', 'x.yaml'))).toBe(
      'x.yaml:2: metrics 127.0.0.1:9015: the same port as bind 0.0.0.0:9015 — choose another port',
    );
  });

  it('reads limits: counts as whole numbers, durations with a unit or as seconds, and refuses values out of range with the line', () => {
    const yaml = [
      'bind: 0.0.0.0:9015',
      'limits:',
      '  handshake_timeout: 5s',
      '  max_pending_handshakes: 128',
      '  max_pending_per_address: 4',
      '  max_failed_handshakes: 5',
      '  failure_window: 15m',
      '  block_for: 1h',
      '  max_connections: 0',
      '  idle_timeout: 90',
      '  udp_idle_timeout: 2500ms',
      '  max_data_connections: 0',
      '  max_speed: 9',
    ].join('\n');
    const r = readPortProxyText(yaml, 'x.yaml');
    expect(r.relayServer!.limits).toEqual({
      handshakeTimeoutMs: 5000,
      maxPendingHandshakes: 128,
      maxPendingPerAddress: 4,
      maxFailedHandshakes: 5,
      failureWindowMs: 900_000,
      blockMs: 3600_000,
      maxConnections: 0,
      idleTimeoutMs: 90_000,
      udpIdleTimeoutMs: 2500,
      maxDataConnections: 0,
    });
    expect(r.warnings).toContain('x.yaml:13: unknown key "max_speed" ignored');
    expect(readPortProxyText('bind: 0.0.0.0:9015\n', 'x.yaml').relayServer!.limits).toBeUndefined();
    const bad = (line: string) => profileError(() => readPortProxyText(`bind: 0.0.0.0:9015\nlimits:\n  ${line}\n`, 'x.yaml'));
    expect(bad('handshake_timeout: 30s')).toBe('x.yaml:3: limits: handshake_timeout "30s": expected a duration from 1 s to 10 s, e.g. 10s, 5m, 1h (a plain number is seconds)');
    expect(bad('max_pending_per_address: -1')).toBe('x.yaml:3: limits: max_pending_per_address "-1": expected a whole number from 1 to 100000');
    expect(bad('max_data_connections: 5000')).toBe('x.yaml:3: limits: max_data_connections "5000": expected a whole number from 0 to 1024');
    expect(bad('idle_timeout: soon')).toMatch(/^x\.yaml:3: limits: idle_timeout "soon": expected a duration from 0 \(off\) to /);
    expect(profileError(() => readPortProxyText('bind: 0.0.0.0:9015\nlimits: 5\n', 'x.yaml'))).toBe('x.yaml:2: limits: expected keys such as handshake_timeout: 10s, found number 5');
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

  it("reads Porthole's agent extension: fingerprint and the ports it asks for (expose)", () => {
    const f = fixture('port-proxy', 'agent-porthole.yaml');
    const r = readPortProxyProfile(f);
    expectValid(r);
    const ref = r.relays[0]!.ref;
    expect(r).toEqual({
      format: 'port-proxy-client',
      relays: [
        { ref: expect.stringMatching(/^relay-relay-example-com-[0-9a-f]{8}$/), name: 'nas @ relay.example.com:9015', host: 'relay.example.com', port: 9015, token: 'nas-s3cret', tls: true, agentName: 'nas', fingerprint: FP },
      ],
      exposes: [
        { name: 'nas 8080 → 127.0.0.1:80', relayRef: ref, protocol: 'tcp', localHost: '127.0.0.1', localPort: 80, remotePort: 8080, kind: 'http' },
        { name: 'ssh', relayRef: ref, protocol: 'tcp', localHost: '::1', localPort: 22, remotePort: 0 },
        { name: 'nas 20053 → 192.168.1.5:53', relayRef: ref, protocol: 'udp', localHost: '192.168.1.5', localPort: 53, remotePort: 20053 },
      ],
      warnings: [],
    });
  });

  it('normalises a fingerprint with or without colons, in any case, to AB:CD:… pairs', () => {
    const read = (fp: string) => readPortProxyText(`name: a\nserver: h:1\nfingerprint: ${fp}\n`, 'x.yaml').relays[0]!.fingerprint;
    expect(read(FP)).toBe(FP);
    expect(read(FP.toLowerCase())).toBe(FP);
    expect(read(FP.replace(/:/g, ''))).toBe(FP);
    expect(read(`"  ${FP.replace(/:/g, '').toLowerCase()}  "`)).toBe(FP);
    const digits = '1234567890'.repeat(7).slice(0, 64);
    expect(read(digits)).toBe(digits.match(/../g)!.join(':'));
  });

  it('names a default expose "auto" when the relay picks the port, and skips a port asked for twice', () => {
    const r = readPortProxyText('name: a\nserver: h:1\nexpose:\n  - {local: 3000, remote: 0}\n  - {local: 3001, remote: 9000}\n  - {local: 3002, remote: 9000}\n  - {local: 3003, remote: 9000, type: udp}\n', 'x.yaml');
    expectValid(r);
    expect(r.exposes.map((e) => [e.name, e.protocol, e.remotePort])).toEqual([
      ['a auto → 127.0.0.1:3000', 'tcp', 0],
      ['a 9000 → 127.0.0.1:3001', 'tcp', 9000],
      ['a 9000 → 127.0.0.1:3003', 'udp', 9000],
    ]);
    expect(r.warnings).toEqual(['x.yaml:6: remote tcp port 9000 is already requested by an earlier entry; this one is skipped']);
    expect(readPortProxyText('name: a\nserver: h:1\nexpose: []\n', 'x.yaml').warnings).toEqual([]);
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
    ['bind: 0.0.0.0:1\ntoken: ""\n', /^x\.yaml:2: token: empty token$/],
    ['bind: 0.0.0.0:1\npublic_host: "not a host"\n', /^x\.yaml:2: public_host: not a valid host name/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports:\n      - 8080\n      - "20100-20000"\n', /^x\.yaml:6: allow_ports "20100-20000": 20100 is greater than 20000; write the lower port first$/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports: [1, 2,\n      70000]\n', /^x\.yaml:5: allow_ports "70000": port 70000 is out of range/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports:\n      - 0-10\n', /^x\.yaml:5: allow_ports "0-10": port 0 is out of range/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports:\n      - http\n', /^x\.yaml:5: allow_ports "http": not a port \(8080\) or a range/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports:\n      - {from: 1}\n', /^x\.yaml:5: allow_ports: expected a value, found a table/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports: 8080\n', /^x\.yaml:4: allow_ports: expected a list of ports/],
    ['name: a\nserver: h:1\nfingerprint: AB:CD\n', /^x\.yaml:3: fingerprint "AB:CD": 4 hex digits, a SHA-256 fingerprint has 64/],
    [`name: a\nserver: h:1\nfingerprint: ${'ab'.repeat(20)}\n`, /^x\.yaml:3: fingerprint "a[ab]+": 40 hex digits, a SHA-256 fingerprint has 64/],
    [`name: a\nserver: h:1\nfingerprint: ${'ab'.repeat(33)}\n`, /^x\.yaml:3: fingerprint "a[ab]+": 66 hex digits/],
    [`name: a\nserver: h:1\nfingerprint: ${'zz'.repeat(32)}\n`, /^x\.yaml:3: fingerprint "z+": not a SHA-256 fingerprint/],
    [`name: a\nserver: h:1\nfingerprint: ${FP.slice(1)}A\n`, /^x\.yaml:3: fingerprint .*: colons go between pairs of hex digits/],
    ['name: a\nserver: h:1\nexpose:\n  - local: 80\n    remote: 8080\n    type: sctp\n', /^x\.yaml:6: type "sctp" is not supported \(tcp, http or udp\)$/],
    ['name: a\nserver: h:1\nexpose:\n  - local: "::1:80"\n    remote: 1\n', /^x\.yaml:4: local: "::1:80": put an IPv6 address in brackets/],
    ['name: a\nserver: h:1\nexpose:\n  - local: 80\n    remote: 70000\n', /^x\.yaml:5: remote "70000": not a port number \(1–65535, or 0/],
    ['name: a\nserver: h:1\nexpose:\n  - local: 80\n', /^x\.yaml:4: expose entry: missing "remote"/],
    ['name: a\nserver: h:1\nexpose:\n  - remote: 80\n', /^x\.yaml:4: expose entry: missing "local"/],
    ['name: a\nserver: h:1\nexpose:\n  - 80\n', /^x\.yaml:4: expose: each entry is \{ local, remote, type\?, name\? \}, found number 80/],
    ['name: a\nserver: h:1\nexpose: {local: 80}\n', /^x\.yaml:3: expose: expected a list of/],
    ['name: a\nserver: h:1\nexpose:\n  - {local: 80, remote: 1}\n  -\n', /^x\.yaml:5: expose: each entry is .*, found null/],
    ['bind: 0.0.0.0:1\nproxy:\n  - remote_name: a\n    allow_ports:\n      -\n', /^x\.yaml:5: allow_ports: expected a value, found null/],
    ['name: a\nserver: h:1\nexpose:\n  - {local: 80, remote: 1, name: ""}\n', /^x\.yaml:4: expose entry name: empty name/],
  ];
  it.each(cases)('%j → ProfileError', (text, re) => {
    expect(profileError(() => readPortProxyText(text, 'x.yaml'))).toMatch(re);
  });

  it('refuses binary data, files over 1 MiB and missing files', () => {
    expect(profileError(() => readPortProxyProfile(write(Buffer.from('name: a\0\n'), 'nul.yaml')))).toMatch(/binary data \(NUL bytes\)/);
    expect(profileError(() => readPortProxyProfile(write(`# ${'x'.repeat(1024 * 1024)}\n`, 'big.yaml')))).toMatch(/larger than 1 MiB/);
    expect(profileError(() => readPortProxyProfile(fixture('port-proxy', 'nope.yaml')))).toMatch(/cannot read the file \(ENOENT\)/);
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
    expect(profileError(() => readPortProxyText(bomb, 'bomb.yaml'))).toMatch(/^bomb\.yaml: too many YAML aliases/);
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
  const sources = ['server.yaml', 'seed-server-as-printed.yaml', 'server-porthole.yaml', 'client-porthole.yaml', 'relay-porthole.yaml', 'agent-porthole.yaml', 'seed-server-as-printed-token.yaml'].map((n) => readFileSync(fixture('port-proxy', n), 'utf8'));
  it('525 mutations: a valid result or a ProfileError, nothing else', () => {
    for (const [i, m] of sources.flatMap((s, k) => mutations(s, 1000 + k, 75)).entries()) {
      expectReturnsOrProfileError(() => readPortProxyText(m, `fuzz-${i}.yaml`), m);
    }
  });
});
