import { describe, expect, it } from 'vitest';
import { formatHostPort, isValidHost, listenEndpointsCollide, parseHostPort } from './address';
import { formatBytes } from './units';

describe('addresses', () => {
  it.each([
    ['127.0.0.1', true], ['0.0.0.0', true], ['256.1.1.1', false], ['1.2.3', false], ['::1', true], ['fe80::1%eth0', true],
    ['2001:db8::8a2e:370:7334', true], ['::ffff:192.0.2.1', true], ['1::2::3', false], ['localhost', true],
    ['my-host.example.com', true], ['-bad.example', false], ['bad_host', false], ['', false], ['a'.repeat(64), false],
  ])('isValidHost(%s) is %s', (h, ok) => expect(isValidHost(h)).toBe(ok));

  it('parses host:port, [v6]:port and a bare port with a default host', () => {
    expect(parseHostPort('10022', '127.0.0.1')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 10022 } });
    expect(parseHostPort('[::1]:8080')).toEqual({ ok: true, value: { host: '::1', port: 8080 } });
    expect(parseHostPort('web.local:80')).toEqual({ ok: true, value: { host: 'web.local', port: 80 } });
    expect(parseHostPort('web:70000')).toMatchObject({ ok: false, error: expect.stringContaining('out of range') });
    expect(parseHostPort('::1:80')).toMatchObject({ ok: false, error: expect.stringContaining('brackets') });
    expect(parseHostPort('80')).toMatchObject({ ok: false, error: expect.stringContaining('no host') });
    expect(parseHostPort('bad host:80')).toMatchObject({ ok: false });
  });

  it('brackets IPv6 when formatting', () => {
    expect(formatHostPort('::1', 1)).toBe('[::1]:1');
    expect(formatHostPort('a', 1)).toBe('a:1');
  });

  it('treats wildcards as colliding with every host on the same port', () => {
    expect(listenEndpointsCollide({ host: '0.0.0.0', port: 1 }, { host: '127.0.0.1', port: 1 })).toBe(true);
    expect(listenEndpointsCollide({ host: 'localhost', port: 1 }, { host: '127.0.0.1', port: 1 })).toBe(true);
    expect(listenEndpointsCollide({ host: '127.0.0.2', port: 1 }, { host: '127.0.0.1', port: 1 })).toBe(false);
    expect(listenEndpointsCollide({ host: '127.0.0.1', port: 2 }, { host: '127.0.0.1', port: 1 })).toBe(false);
  });

  it('formats byte counts in IEC units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(16 * 1024 * 1024)).toBe('16.0 MiB');
  });
});
