import { describe, expect, it } from 'vitest';
import {
  countCustomOptions,
  optionValuesFrom,
  secondsToMs,
  splitList,
  switchOptionType,
  tcpOptionsFromValues,
  TCP_DEFAULTS,
  udpOptionsFromValues,
  UDP_DEFAULTS,
} from './rule-options';

describe('rule options ↔ form values', () => {
  it('splits lists on newlines and commas and drops blanks', () => {
    expect(splitList(' 10.0.0.0/8 ,\n\n::1\r\n, 192.168.1.1 ')).toEqual(['10.0.0.0/8', '::1', '192.168.1.1']);
    expect(splitList('  \n ')).toEqual([]);
  });

  it('converts seconds to whole milliseconds; blank is the default, junk fails', () => {
    expect(secondsToMs('1.5')).toBe(1500);
    expect(secondsToMs('0.1')).toBe(100);
    expect(secondsToMs(' ')).toBeUndefined();
    expect(secondsToMs('abc')).toBeNaN();
  });

  it('shows the defaults as the schema states them, in seconds', () => {
    expect(optionValuesFrom()).toEqual({
      allow: '',
      deny: '',
      maxConnections: '0',
      maxSessions: '1000',
      connectTimeout: '10',
      idleTimeout: '0',
      keepAlive: true,
      proxyProtocol: 'off',
    });
    expect(optionValuesFrom(undefined, undefined, 'udp').idleTimeout).toBe('60');
  });

  it('round-trips TCP and UDP options', () => {
    const tcp = { ...TCP_DEFAULTS, allow: ['10.0.0.0/8'], deny: ['10.0.0.1'], idleTimeoutMs: 123_456, keepAlive: false, proxyProtocol: 'v1' as const };
    expect(tcpOptionsFromValues(optionValuesFrom(tcp))).toEqual(tcp);
    const udp = { ...UDP_DEFAULTS, allow: ['::1/128'], idleTimeoutMs: 2500, maxSessions: 3 };
    expect(udpOptionsFromValues(optionValuesFrom(undefined, udp, 'udp'))).toEqual(udp);
  });

  it('moves an idle timeout still at its default to the other type’s default, and keeps a chosen one', () => {
    const tcp = optionValuesFrom();
    expect(switchOptionType(tcp, 'udp').idleTimeout).toBe('60');
    expect(switchOptionType(switchOptionType(tcp, 'udp'), 'tcp').idleTimeout).toBe('0');
    expect(switchOptionType({ ...tcp, idleTimeout: '30' }, 'udp').idleTimeout).toBe('30');
  });

  it('counts the settings that differ from the defaults', () => {
    expect(countCustomOptions(optionValuesFrom(), 'tcp')).toBe(0);
    expect(countCustomOptions({ ...optionValuesFrom(), allow: '10.0.0.0/8', connectTimeout: '10.0', keepAlive: false }, 'tcp')).toBe(2);
    expect(countCustomOptions({ ...optionValuesFrom(undefined, undefined, 'udp'), maxSessions: '5' }, 'udp')).toBe(1);
  });
});
