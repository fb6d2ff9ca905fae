import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, sourceFilter } from './cidr';

const c = (s: string) => {
  const r = parseCidr(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('CIDR lists', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.0/24', '192.168.1.77', true],
    ['192.168.1.0/24', '::ffff:192.168.1.77', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['::1', '::1', true],
    ['::1/128', '::2', false],
    ['2001:db8::/32', '2001:db8:1234::5', true],
    ['2001:db8::/32', '2001:db9::5', false],
    ['fe80::/10', 'fe80::1%eth0', true],
    ['::ffff:0:0/96', '::ffff:10.1.2.3', false],
    ['10.0.0.0/8', '::1', false],
    ['::102:304/128', '::1.2.3.4', true],
    ['1:2:3:4:5:6:0:0/96', '1:2:3:4:5:6:1.2.3.4', true],
  ])('%s contains %s: %s', (range, addr, expected) => expect(cidrContains(c(range), addr)).toBe(expected));

  it('rejects malformed ranges with a message', () => {
    for (const bad of ['10.0.0.0/33', 'x/8', '10.0.0/8', '::1/129', '1.2.3.4/-1', '']) {
      const r = parseCidr(bad);
      expect(r.ok).toBe(false);
    }
  });

  it('lets deny win over allow, and allows everyone when allow is empty', () => {
    const f = sourceFilter(['10.0.0.0/8'], ['10.0.0.5'])!;
    expect(f('10.0.0.4')).toBe(true);
    expect(f('10.0.0.5')).toBe(false);
    expect(f('192.168.0.1')).toBe(false);
    const g = sourceFilter([], ['127.0.0.2'])!;
    expect(g('127.0.0.1')).toBe(true);
    expect(g('127.0.0.2')).toBe(false);
    expect(sourceFilter([], [])).toBeUndefined();
  });
});
