import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRatholeProfile, readRatholeText } from './rathole-profile';
import { expectReturnsOrProfileError, expectValid, fixture, mutations, profileError } from '../../test-support/relay-import-helpers';

const REF = expect.stringMatching(/^relay-[A-Za-z0-9_-]+-[0-9a-f]{8}$/);

describe('rathole client.toml', () => {
  it('reads both halves of one file: the [server] half gives each service its public port; noise is explained', () => {
    const f = fixture('rathole', 'client.toml');
    const r = readRatholeProfile(f);
    expectValid(r);
    const relayRef = r.relays[0]!.ref;
    expect(r).toEqual({
      format: 'rathole-client',
      relays: [{ ref: REF, name: 'rathole myserver.com:2333', host: 'myserver.com', port: 2333, agentName: 'rathole', token: 'secret', tls: true }],
      exposes: [
        { name: 'my_nas_ssh', relayRef, protocol: 'tcp', localHost: '127.0.0.1', localPort: 22, remotePort: 5202 },
        { name: 'dns', relayRef, protocol: 'udp', localHost: '::1', localPort: 53, remotePort: 0 },
      ],
      relayServer: { bind: { host: '0.0.0.0', port: 2333 }, token: 'secret', tls: true, publicHost: '0.0.0.0', agents: [{ name: 'rathole', ports: [], allowPorts: [{ from: 5202, to: 5202 }] }] },
      warnings: [
        `${f}:8: rathole's Noise transport is not supported: Porthole's relay uses TLS with a pinned certificate instead (the Noise keys are not used)`,
        `${f}:13: service "my_nas_ssh": nodelay is not supported by Porthole; ignored`,
        `${f}: rathole's server decides the public port of service dns (not in the [server] half here): imported with remote port 0 (the relay picks one); set it from the server's [server.services] bind_addr`,
      ],
    });
  });

  it('IPv6 server, TLS, quoted service names, per-service tokens (BOM, CRLF, tab); an unknown key is named at its own line', () => {
    const f = fixture('rathole', 'client-tls.toml');
    const r = readRatholeProfile(f);
    expectValid(r);
    const relayRef = r.relays[0]!.ref;
    expect(r).toEqual({
      format: 'rathole-client',
      relays: [{ ref: REF, name: 'rathole [2001:db8::2]:2333', host: '2001:db8::2', port: 2333, agentName: 'rathole', tls: true }],
      exposes: [
        { name: 'web ui', relayRef, protocol: 'tcp', localHost: 'localhost', localPort: 8080, remotePort: 0 },
        { name: 'db', relayRef, protocol: 'tcp', localHost: '127.0.0.1', localPort: 5432, remotePort: 0 },
      ],
      warnings: [
        `${f}:3: client.unknown_option is not supported by Porthole; ignored`,
        `${f}:4: rathole's TLS settings (trusted_root, hostname, pkcs12) are not used: Porthole's relay makes its own certificate and the agent pins it on first use`,
        `${f}:10: service "web ui" has its own token; Porthole's relay uses one token per agent, so it is not imported`,
        `${f}:13: service "db" has its own token; Porthole's relay uses one token per agent, so it is not imported`,
        `${f}: rathole's server decides the public port of services web ui, db: imported with remote port 0 (the relay picks one); set it from the server's [server.services] bind_addr`,
      ],
    });
  });

  it('uses the token every service shares when there is no default_token; plain TCP is warned about', () => {
    const r = readRatholeText('[client]\nremote_addr = "h.example:1"\n[client.services.a]\nlocal_addr = "127.0.0.1:1"\ntoken = "t"\n[client.services.b]\nlocal_addr = "127.0.0.1:2"\ntoken = "t"\n', 'c.toml');
    expect(r.relays[0]).toMatchObject({ token: 't', tls: true });
    expect(r.warnings[0]).toBe("c.toml:1: rathole's transport here is plain TCP; Porthole's relay always uses TLS (the agent pins the relay's certificate on first use), so the relay you run in its place provides it");
  });

  it('the transport is reported the same whether tcp is written or implied, and a proxy setting is not called a TLS problem', () => {
    const base = '[client]\nremote_addr = "h.example:1"\ndefault_token = "t"\n[client.services.a]\nlocal_addr = "127.0.0.1:1"\n';
    const implicit = readRatholeText(base, 'c.toml');
    const explicit = readRatholeText(`${base}[client.transport]\ntype = "tcp"\n`, 'c.toml');
    expect(explicit.relays[0]!.tls).toBe(implicit.relays[0]!.tls);
    expect(explicit.relays[0]!.tls).toBe(true);
    expect(explicit.warnings[0]!.replace(/^c\.toml:\d+: /, '')).toBe(implicit.warnings[0]!.replace(/^c\.toml:\d+: /, ''));
    const proxied = readRatholeText(`${base}[client.transport]\ntype = "tcp"\n[client.transport.tcp]\nproxy = "socks5://me:secret@127.0.0.1:1080"\n`, 'c.toml');
    expect(proxied.warnings[1]).toBe('c.toml:6: client.transport.tcp.proxy: reaching the server through a SOCKS5 or HTTP proxy is not supported; Porthole dials the relay directly');
    expect(proxied.warnings.join('\n')).not.toContain('secret');
    expect(proxied.warnings.join('\n')).not.toMatch(/proxy.*TLS/);
  });

  const bad: Array<[string, RegExp]> = [
    ['[client]\nremote_addr = "h:1"\nremote_addr = "h:2"\n', /^c\.toml:3: not valid TOML/],
    ['[server]\ndefault_token = "t"\n', /^c\.toml:1: server\.bind_addr: missing/],
    ['x = 1\n', /^c\.toml: no \[client\] or \[server\] section/],
    ['[client]\ndefault_token = "t"\n', /^c\.toml:1: client\.remote_addr: missing/],
    ['[client]\nremote_addr = "h"\n', /^c\.toml:2: client\.remote_addr: "h" has no port/],
    ['[client]\nremote_addr = "h:1"\n[client.services.a]\nlocal_addr = "127.0.0.1:1"\n', /^c\.toml:3: service "a": no token and no client\.default_token/],
    ['[client]\nremote_addr = "h:1"\ndefault_token = "t"\n[client.services.a]\nlocal_addr = "::1:22"\n', /^c\.toml:4: service "a": local_addr: "::1:22": put an IPv6 address in brackets/],
    ['[client]\nremote_addr = "h:1"\ndefault_token = "t"\n[client.services.a]\ntype = "http"\nlocal_addr = "a:1"\n', /^c\.toml:4: service "a": type "http": expected "tcp" or "udp"/],
    ['[client]\nremote_addr = "h:1"\ndefault_token = "t"\n[client.services.a]\n', /^c\.toml:4: service "a": local_addr: missing/],
    ['[client]\nremote_addr = 5\n', /^c\.toml:1: client\.remote_addr: expected "HOST:PORT", found number 5/],
  ];
  it.each(bad)('%j → ProfileError', (text, re) => {
    expect(profileError(() => readRatholeText(text, 'c.toml'))).toMatch(re);
  });

  it('300 mutations: a valid result or a ProfileError, nothing else', () => {
    const src = ['client.toml', 'client-tls.toml'].map((n) => readFileSync(fixture('rathole', n), 'utf8'));
    for (const [i, m] of src.flatMap((s, k) => mutations(s, 4000 + k, 150)).entries()) expectReturnsOrProfileError(() => readRatholeText(m, `fuzz-${i}.toml`), m);
  });
});
