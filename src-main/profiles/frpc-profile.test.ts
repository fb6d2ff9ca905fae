import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFrpcIniText, readFrpcProfile, readFrpcTomlText } from './frpc-profile';
import { expectReturnsOrProfileError, expectValid, fixture, mutations, profileError } from '../../test-support/relay-import-helpers';

const REF = expect.stringMatching(/^relay-[A-Za-z0-9_-]+-[0-9a-f]{8}$/);

describe('frpc.toml', () => {
  it('reads the full example: tcp/udp proxies, defaults, warnings for everything else', () => {
    const f = fixture('frpc', 'frpc.toml');
    const r = readFrpcProfile(f);
    expectValid(r);
    const relayRef = r.relays[0]!.ref;
    expect(r.relays).toEqual([{ ref: REF, name: 'frps relay.example.com:7000', host: 'relay.example.com', port: 7000, token: '12345678', tls: true }]);
    expect(r.exposes).toEqual([
      { name: 'ssh', relayRef, protocol: 'tcp', localHost: '127.0.0.1', localPort: 22, remotePort: 6000 },
      { name: 'dns', relayRef, protocol: 'udp', localHost: '::1', localPort: 53, remotePort: 6053 },
      { name: 'game', relayRef, protocol: 'tcp', localHost: '127.0.0.1', localPort: 25565, remotePort: 0 },
    ]);
    expect(r.warnings).toEqual([
      `${f}: transport.tcpMux, transport.poolCount, webServer.addr, webServer.port: not supported by Porthole; ignored`,
      `${f}:58: visitor "secret_ssh_visitor" (stcp) skipped: Porthole has no frp visitor side (it connects to another client's secret proxy through frps)`,
      `${f}:13: proxy "ssh": transport.useEncryption, transport.useCompression, transport.bandwidthLimit, healthCheck.type, healthCheck.intervalSeconds: not supported by Porthole; ignored`,
      `${f}:25: proxy "web" (http) skipped: HTTP virtual hosts (customDomains/subdomain) are not supported by Porthole's relay`,
      `${f}:39: proxy "secret_ssh" (stcp) skipped: secret TCP (stcp) needs an frp visitor; Porthole has no visitor side`,
      `${f}:51: proxy "old" skipped: enabled = false`,
      `${f}:66: proxy "docker" skipped: frpc plugins (unix sockets, HTTP/SOCKS proxies, static files…) are not supported`,
    ]);
  });

  it('IPv6 server, TLS off, templated token and port (BOM, CRLF, [auth] tables)', () => {
    const f = fixture('frpc', 'frpc-ipv6.toml');
    const r = readFrpcProfile(f);
    expectValid(r);
    expect(r).toEqual({
      format: 'frpc-toml',
      relays: [{ ref: REF, name: 'frps [2001:db8::1]:7001', host: '2001:db8::1', port: 7001, tls: false }],
      exposes: [{ name: 'web-v6', relayRef: r.relays[0]!.ref, protocol: 'tcp', localHost: '::1', localPort: 8080, remotePort: 0 }],
      warnings: [
        `${f}:4: auth.token "{{ .Envs.FRP_TOKEN }}" is a Go template; Porthole does not render templates`,
        `${f}:6: TLS is off: Porthole connects to a relay without TLS only with its explicit insecure flag`,
        `${f}:14: proxy "templated" skipped: localPort "{{ .Envs.PORT }}" is a Go template; Porthole does not render templates`,
      ],
    });
  });

  it('a templated server address imports nothing, and says why; includes are named', () => {
    const f = fixture('frpc', 'frpc-templates.toml');
    expect(readFrpcProfile(f)).toEqual({
      format: 'frpc-toml',
      relays: [],
      exposes: [],
      warnings: [
        `${f}: includes "./confd/*.toml": included files are not read; import them separately`,
        `${f}:2: serverAddr "{{ .Envs.FRP_SERVER_ADDR }}" is a Go template; Porthole does not render templates`,
        `${f}: the frps address is a template, so no relay is imported and its 1 proxy is skipped`,
      ],
    });
  });

  const bad: Array<[string, RegExp]> = [
    ['serverAddr = "a.example"\nserverPort = = 1\n', /^f\.toml:2: not valid TOML: /],
    ['serverAddr = "a"\nserverAddr = "b"\n', /^f\.toml:2: not valid TOML/],
    ['{{- range $_, $v := parseNumberRangePair "6000-6006" "7000-7006" }}\n[[proxies]]\n', /^f\.toml:1: not valid TOML: .*Go templates/],
    ['serverAddr = 1\n', /^f\.toml:1: serverAddr: expected a string, found number 1/],
    ['serverAddr = "a"\nserverPort = "7000"\n', /^f\.toml:2: serverPort: expected a port number/],
    ['serverAddr = "a"\nserverPort = 70000\n', /^f\.toml: server port: /],
    ['serverAddr = "bad host!"\n', /^f\.toml:1: serverAddr "bad host!": not a valid host/],
    ['serverAddr = "a"\n\n[[proxies]]\nname = ""\nlocalPort = 1\n', /^f\.toml:3: \[\[proxies\]\] entry 1: "name" is empty — frp needs a unique name for each proxy$/],
    ['serverAddr = "a"\n\n[[proxies]]\ntype = "tcp"\nlocalPort = 1\n', /^f\.toml:3: \[\[proxies\]\] entry 1: missing "name"/],
    ['serverAddr = "a"\n\n[[proxies]]\nname = "x"\nremotePort = 1\n', /^f\.toml:3: proxy "x": missing localPort/],
    ['serverAddr = "a"\n[[proxies]]\nname = "x"\nlocalPort = 1.5\n', /^f\.toml:2: proxy "x": localPort: expected a port number/],
    ['serverAddr = "a"\n[[proxies]]\nname = "x"\nlocalPort = 70000\n', /^f\.toml:2: proxy "x" localPort: port must be between 1 and 65535/],
    ['serverAddr = "a"\n[[proxies]]\nname = "x"\ntype = "tls"\nlocalPort = 1\n', /^f\.toml:2: proxy "x": type "tls" is not an frp proxy type/],
    ['serverAddr = "a"\n[[proxies]]\nname = "x"\nlocalPort = 1\n[[proxies]]\nname = "x"\nlocalPort = 2\n', /^f\.toml:5: proxy "x": the name is used by an earlier proxy/],
    ['proxies = 3\n', /^f\.toml: proxies: expected \[\[proxies\]\] tables/],
  ];
  it.each(bad)('%j → ProfileError', (text, re) => {
    expect(profileError(() => readFrpcTomlText(text, 'f.toml'))).toMatch(re);
  });

  it('warns about the default server address and a remote port used twice', () => {
    const r = readFrpcTomlText('[[proxies]]\nname = "a"\nlocalPort = 1\nremotePort = 9\n[[proxies]]\nname = "b"\nlocalPort = 2\nremotePort = 9\n[[proxies]]\nname = "c"\ntype = "udp"\nlocalPort = 3\nremotePort = 9\n', 'f.toml');
    expect(r.relays[0]).toMatchObject({ host: '0.0.0.0', port: 7000, tls: true });
    expect(r.exposes.map((e) => e.name)).toEqual(['a', 'c']);
    expect(r.warnings).toEqual([
      'f.toml: no serverAddr: frp\'s default 0.0.0.0 is used; set the relay\'s address',
      'f.toml: no token: Porthole\'s relay needs a shared token; enter it before connecting',
      'f.toml:5: proxy "b" skipped: remote port tcp 9 is already used by proxy "a"',
    ]);
  });
});

describe('frpc.ini (legacy)', () => {
  it('reads the legacy example (BOM, CRLF, dotted section, ranges, visitors, inline comment)', () => {
    const f = fixture('frpc', 'frpc.ini');
    const r = readFrpcProfile(f);
    expectValid(r);
    const relayRef = r.relays[0]!.ref;
    expect(r).toEqual({
      format: 'frpc-ini',
      relays: [{ ref: REF, name: 'frps 203.0.113.5:7000', host: '203.0.113.5', port: 7000, token: '12345678', tls: true }],
      exposes: [
        { name: 'ssh', relayRef, protocol: 'tcp', localHost: '127.0.0.1', localPort: 22, remotePort: 6001 },
        { name: 'web.internal', relayRef, protocol: 'tcp', localHost: '127.0.0.1', localPort: 8080, remotePort: 6080 },
        { name: 'dns', relayRef, protocol: 'udp', localHost: '::1', localPort: 53, remotePort: 6053 },
      ],
      warnings: [
        `${f}:18: group: frp keeps inline ";" and "#" as part of the value (it does not strip comments after a value); read as "test_group ; load-balancing group"`,
        `${f}:2: [common] tcp_mux, pool_count, admin_addr, admin_port: not supported by Porthole; ignored`,
        `${f}:32: [range:test_tcp] skipped: port ranges (local_port 6000-6005,6007, remote_port 6000-6005,6007) are not expanded; write one proxy per port`,
        `${f}:38: visitor [secret_tcp_visitor] (stcp) skipped: Porthole has no frp visitor side (it connects to another client's secret proxy through frps)`,
        `${f}:12: proxy "ssh": use_encryption, group: not supported by Porthole; ignored`,
        `${f}:46: proxy "web" (http) skipped: HTTP virtual hosts (customDomains/subdomain) are not supported by Porthole's relay`,
      ],
    });
  });

  const bad: Array<[string, RegExp]> = [
    ['[ssh]\ntype = tcp\n', /^f\.ini: no \[common\] section/],
    ['[common\nserver_addr = a\n', /^f\.ini:1: not valid INI: a section header is not closed/],
    ['[common]\nserver_addr = a\n[common]\n', /^f\.ini:3: section \[common\] appears twice \(first at line 1\)/],
    ['[common]\nserver_addr = a\nserver_port = 7000 ; frps\n', /^f\.ini:3: server_port "7000 ; frps": not a whole number \(frp does not strip/],
    ['[common]\nserver_addr = a\ntls_enable = maybe\n', /^f\.ini:3: tls_enable "maybe": expected true or false/],
    // A [common] key's message points at the key's own line, not at [common].
    ['[common]\nserver_port = 7000\n\nserver_addr = bad host!\n', /^f\.ini:4: server_addr "bad host!": not a valid host name or IP address$/],
    ['[common]\nserver_addr = a\n[x]\nlocal_port = abc\n', /^f\.ini:4: local_port "abc": not a whole number/],
    ['[common]\nserver_addr = a\n[x]\nlocal_ip = 1.2.3.4\n', /^f\.ini:3: proxy "x": missing local_port/],
  ];
  it.each(bad)('%j → ProfileError', (text, re) => {
    expect(profileError(() => readFrpcIniText(text, 'f.ini'))).toMatch(re);
  });

  it('reads privilege_token, quoted values and key: value', () => {
    const r = readFrpcIniText('[common]\nserver_addr: "relay.example.com"\nprivilege_token = \'t;k\'\n[a]\nlocal_port = 22\n', 'f.ini');
    expect(r.relays[0]).toMatchObject({ host: 'relay.example.com', token: 't;k' });
    expect(r.exposes).toEqual([{ name: 'a', relayRef: r.relays[0]!.ref, protocol: 'tcp', localHost: '127.0.0.1', localPort: 22, remotePort: 0 }]);
  });
});

describe('frpc: fuzz', () => {
  it('300 mutations per format: a valid result or a ProfileError, nothing else', () => {
    const toml = ['frpc.toml', 'frpc-ipv6.toml'].map((n) => readFileSync(fixture('frpc', n), 'utf8'));
    for (const [i, m] of toml.flatMap((s, k) => mutations(s, 2000 + k, 150)).entries()) expectReturnsOrProfileError(() => readFrpcTomlText(m, `fuzz-${i}.toml`), m);
    const ini = readFileSync(fixture('frpc', 'frpc.ini'), 'utf8');
    for (const [i, m] of mutations(ini, 3000, 300).entries()) expectReturnsOrProfileError(() => readFrpcIniText(m, `fuzz-${i}.ini`), m);
  });
});
