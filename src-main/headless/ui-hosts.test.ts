import { describe, expect, it } from 'vitest';
import { createHostPolicy, parsePublicHost } from './ui-hosts';

describe('--public-host values', () => {
  it('reads a name, a name with a port, an IPv6 literal and a full origin', () => {
    expect(parsePublicHost('porthole.example.com')).toEqual({ hostname: 'porthole.example.com' });
    expect(parsePublicHost('Porthole.Example.com:8443')).toEqual({ hostname: 'porthole.example.com', port: 8443 });
    expect(parsePublicHost('[2001:db8::1]:9000')).toEqual({ hostname: '2001:db8::1', port: 9000 });
    expect(parsePublicHost('https://porthole.example.com')).toEqual({ hostname: 'porthole.example.com', port: 443, scheme: 'https' });
  });
  it('refuses paths, users, wildcards and other schemes, saying what to give', () => {
    expect(() => parsePublicHost('name/admin')).toThrow(/no path or user/);
    expect(() => parsePublicHost('user@name')).toThrow(/no path or user/);
    expect(() => parsePublicHost('0.0.0.0')).toThrow(/not a wildcard/);
    expect(() => parsePublicHost('ftp://name')).toThrow(/only http/);
    expect(() => parsePublicHost('a b')).toThrow(/not a host name/);
  });
});

describe('host policy', () => {
  it('on a loopback listen accepts the loopback names with its port and scheme, nothing else', () => {
    const p = createHostPolicy({ listenHost: '127.0.0.1', port: 5000, scheme: 'http', publicHosts: [] });
    for (const h of ['127.0.0.1:5000', 'localhost:5000', 'LOCALHOST:5000', '[::1]:5000']) expect(p.hostAllowed(h)).toBe(true);
    for (const h of ['127.0.0.1:5001', 'evil.example:5000', 'localhost', '', undefined]) expect(p.hostAllowed(h)).toBe(false);
    expect(p.originAllowed('http://localhost:5000')).toBe(true);
    expect(p.originAllowed('https://localhost:5000')).toBe(false);
    expect(p.originAllowed('http://localhost:5000/path')).toBe(false);
    expect(p.originAllowed('null')).toBe(false);
  });
  it('on a wildcard listen accepts this machine’s addresses, and looks again for one that appeared', () => {
    let addrs = ['127.0.0.1', '10.1.2.3', '::1', 'fe80::1'];
    let clock = 1_000;
    const p = createHostPolicy({ listenHost: '0.0.0.0', port: 7070, scheme: 'https', publicHosts: [], interfaces: () => addrs, now: () => clock });
    expect(p.hostAllowed('10.1.2.3:7070')).toBe(true);
    expect(p.originAllowed('https://10.1.2.3:7070')).toBe(true);
    expect(p.hostAllowed('10.9.9.9:7070')).toBe(false);
    expect(p.primaryOrigin()).toBe('https://127.0.0.1:7070');
    expect(p.origins()).toEqual(['https://localhost:7070', 'https://127.0.0.1:7070', 'https://10.1.2.3:7070']);
    addrs = [...addrs, '10.9.9.9'];
    // Re-read at most every 2 s (a flood of foreign names must not make each request list interfaces).
    clock += 1_000;
    expect(p.hostAllowed('10.9.9.9:7070')).toBe(false);
    clock += 1_500;
    expect(p.hostAllowed('10.9.9.9:7070')).toBe(true);
  });
  it('on :: takes IPv6 addresses too, but not link-local ones', () => {
    const p = createHostPolicy({ listenHost: '::', port: 80, scheme: 'http', publicHosts: [], interfaces: () => ['127.0.0.1', '2001:db8::5', 'fe80::1'] });
    expect(p.hostAllowed('[2001:db8::5]')).toBe(true);
    expect(p.hostAllowed('[fe80::1]')).toBe(false);
    expect(p.primaryOrigin()).toBe('http://127.0.0.1');
  });
  it('takes a bare public name at the listen port, and an origin exactly (default port left out)', () => {
    const p = createHostPolicy({
      listenHost: '192.0.2.10', port: 7070, scheme: 'http',
      publicHosts: [parsePublicHost('https://porthole.example.com'), parsePublicHost('lan-box')],
    });
    expect(p.primaryOrigin()).toBe('https://porthole.example.com');
    expect(p.hostAllowed('porthole.example.com')).toBe(true);
    expect(p.hostAllowed('porthole.example.com:443')).toBe(true);
    expect(p.originAllowed('https://porthole.example.com')).toBe(true);
    expect(p.originAllowed('http://porthole.example.com')).toBe(false);
    expect(p.hostAllowed('lan-box:7070')).toBe(true);
    expect(p.hostAllowed('lan-box')).toBe(false);
    expect(p.hostAllowed('192.0.2.10:7070')).toBe(true);
    expect(p.hostAllowed('localhost:7070')).toBe(false);
  });
});
