import { describe, expect, it } from 'vitest';
import {
  Reply,
  encodeMethodSelection,
  encodeReply,
  encodeUserPassReply,
  formatIPv6,
  parseGreeting,
  parseRequest,
  parseUserPass,
  replyForError,
} from './socks5-protocol';
import type { ParseResult } from './socks5-protocol';
import { prng } from '../../test-support/prng';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);

function connectDomain(host: string, port: number): Buffer {
  const name = Buffer.from(host);
  return Buffer.concat([b(5, 1, 0, 3, name.length), name, b(port >> 8, port & 0xff)]);
}

describe('SOCKS5 parsers', () => {
  it('parses a greeting and reports incomplete for every shorter prefix', () => {
    const msg = b(5, 2, 0, 2);
    for (let n = 0; n < msg.length; n++) expect(parseGreeting(msg.subarray(0, n))).toEqual({ kind: 'incomplete' });
    expect(parseGreeting(Buffer.concat([msg, b(9, 9)]))).toEqual({ kind: 'ok', length: 4, methods: [0, 2] });
  });

  it('rejects a SOCKS4 greeting, an HTTP request and an empty method list with a message saying so', () => {
    expect(parseGreeting(b(4, 1, 0, 80))).toMatchObject({ kind: 'error', message: expect.stringContaining('SOCKS4') });
    expect(parseGreeting(Buffer.from('CONNECT example:443 HTTP/1.1\r\n'))).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('looks like HTTP'),
    });
    expect(parseGreeting(b(5, 0))).toMatchObject({ kind: 'error' });
  });

  it('parses RFC 1929 username/password and rejects a wrong sub-negotiation version', () => {
    const msg = Buffer.concat([b(1, 4), Buffer.from('user'), b(6), Buffer.from('secret')]);
    for (let n = 0; n < msg.length; n++) expect(parseUserPass(msg.subarray(0, n)).kind).toBe('incomplete');
    const r = parseUserPass(msg);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.length).toBe(msg.length);
    expect(Buffer.from(r.username).toString()).toBe('user');
    expect(Buffer.from(r.password).toString()).toBe('secret');
    expect(parseUserPass(b(5, 1, 0)).kind).toBe('error');
  });

  it('parses CONNECT requests for IPv4, IPv6 and domain destinations', () => {
    expect(parseRequest(b(5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90))).toEqual({
      kind: 'ok',
      length: 10,
      command: 1,
      destination: { host: '127.0.0.1', port: 8080, addressType: 'ipv4' },
    });
    const v6 = b(5, 1, 0, 4, ...new Array<number>(15).fill(0), 1, 0, 80);
    expect(parseRequest(v6)).toMatchObject({ kind: 'ok', length: 22, destination: { host: '::1', port: 80, addressType: 'ipv6' } });
    const dom = connectDomain('localhost', 443);
    for (let n = 0; n < dom.length; n++) expect(parseRequest(dom.subarray(0, n)).kind).toBe('incomplete');
    expect(parseRequest(dom)).toMatchObject({ kind: 'ok', length: dom.length, destination: { host: 'localhost', port: 443, addressType: 'domain' } });
  });

  it('parses BIND like any command (the server refuses it) and answers 0x08 for an unknown address type', () => {
    expect(parseRequest(b(5, 2, 0, 1, 127, 0, 0, 1, 0, 80))).toMatchObject({ kind: 'ok', command: 2 });
    expect(parseRequest(b(5, 1, 0, 9))).toMatchObject({ kind: 'error', reply: Reply.ADDRESS_TYPE_NOT_SUPPORTED });
    expect(parseRequest(b(5, 1, 0, 3, 0, 0, 80))).toMatchObject({ kind: 'error', reply: Reply.GENERAL_FAILURE });
  });

  it('formats IPv6 addresses canonically (RFC 5952)', () => {
    const addr = (...groups: number[]) => Buffer.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
    expect(formatIPv6(addr(0, 0, 0, 0, 0, 0, 0, 0))).toBe('::');
    expect(formatIPv6(addr(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(addr(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6(addr(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1))).toBe('::ffff:7f00:1');
  });
});

describe('SOCKS5 encoders', () => {
  it('encodes method selection, auth replies and replies with the bound address', () => {
    expect(encodeMethodSelection(0xff)).toEqual(b(5, 0xff));
    expect(encodeUserPassReply(true)).toEqual(b(1, 0));
    expect(encodeUserPassReply(false)).toEqual(b(1, 1));
    expect(encodeReply(Reply.SUCCEEDED, { address: '127.0.0.1', port: 40000 })).toEqual(b(5, 0, 0, 1, 127, 0, 0, 1, 0x9c, 0x40));
    expect(encodeReply(Reply.SUCCEEDED, { address: '::ffff:10.1.2.3', port: 1 })).toEqual(b(5, 0, 0, 1, 10, 1, 2, 3, 0, 1));
    expect(encodeReply(Reply.SUCCEEDED, { address: '::1', port: 80 })).toEqual(b(5, 0, 0, 4, ...new Array<number>(15).fill(0), 1, 0, 80));
    expect(encodeReply(Reply.CONNECTION_REFUSED)).toEqual(b(5, 5, 0, 1, 0, 0, 0, 0, 0, 0));
    expect(encodeReply(Reply.SUCCEEDED, { address: 'not-an-ip', port: 5 })).toEqual(b(5, 0, 0, 1, 0, 0, 0, 0, 0, 0));
  });

  it('sends only a well-formed dotted quad as an IPv4 bound address, anything else as 0.0.0.0:0', () => {
    const unknown = b(5, 0, 0, 1, 0, 0, 0, 0, 0, 0);
    expect(encodeReply(Reply.SUCCEEDED, { address: '255.0.10.001', port: 7 })).toEqual(b(5, 0, 0, 1, 255, 0, 10, 1, 0, 7));
    expect(encodeReply(Reply.SUCCEEDED, { address: '::ffff:192.168.0.9', port: 7 })).toEqual(b(5, 0, 0, 1, 192, 168, 0, 9, 0, 7));
    for (const address of ['1.2.3.256', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.4 ', '1.2.3.0004', '1.2.3.a', '', '::ffff:1.2.3.999']) {
      expect(encodeReply(Reply.SUCCEEDED, { address, port: 7 }), address).toEqual(unknown);
    }
  });

  it('maps engine error codes (and errno for unreachable) to RFC 1928 reply codes', () => {
    expect(replyForError('TARGET_REFUSED')).toBe(0x05);
    expect(replyForError('TARGET_TIMEOUT')).toBe(0x06);
    expect(replyForError('DNS_FAILED')).toBe(0x04);
    expect(replyForError('TARGET_UNREACHABLE', 'EHOSTUNREACH')).toBe(0x04);
    expect(replyForError('TARGET_UNREACHABLE', 'ENETUNREACH')).toBe(0x03);
    expect(replyForError('PERMISSION_DENIED')).toBe(0x02);
    expect(replyForError('INTERNAL')).toBe(0x01);
  });
});

describe('SOCKS5 parsers under random input', () => {
  const parsers: [string, (buf: Uint8Array) => ParseResult<object>][] = [
    ['greeting', parseGreeting],
    ['user/pass', parseUserPass],
    ['request', parseRequest],
  ];
  const valid = [b(5, 1, 0), b(5, 3, 0, 1, 2), Buffer.concat([b(1, 1), Buffer.from('u'), b(1), Buffer.from('p')]), b(5, 1, 0, 1, 127, 0, 0, 1, 0, 80), connectDomain('localhost', 80)];

  function randomInput(rand: () => number): Buffer {
    if (rand() < 0.5) return Buffer.from(Array.from({ length: Math.floor(rand() * 65) }, () => Math.floor(rand() * 256)));
    const base = Buffer.from(valid[Math.floor(rand() * valid.length)]!);
    const mutations = 1 + Math.floor(rand() * 3);
    let out = base;
    for (let m = 0; m < mutations; m++) {
      const pos = Math.floor(rand() * (out.length + 1));
      const op = rand();
      if (op < 0.4 && out.length > 0) out[Math.min(pos, out.length - 1)] = Math.floor(rand() * 256);
      else if (op < 0.7) out = out.subarray(0, pos);
      else out = Buffer.concat([out.subarray(0, pos), b(Math.floor(rand() * 256)), out.subarray(pos)]);
    }
    return out;
  }

  it('never throws: 6,000 random and mutated inputs each give a structured result, and an ok is never longer than the input', () => {
    const rand = prng(0x50c5);
    const seen = { incomplete: 0, ok: 0, error: 0 };
    for (let i = 0; i < 2000; i++) {
      const input = randomInput(rand);
      for (const [name, parse] of parsers) {
        let r: ParseResult<object>;
        try {
          r = parse(input);
        } catch (err) {
          throw new Error(`${name} parser threw on ${input.toString('hex')}`, { cause: err });
        }
        seen[r.kind] += 1;
        if (r.kind === 'ok') {
          expect(r.length).toBeGreaterThan(0);
          expect(r.length).toBeLessThanOrEqual(input.length);
          // Incremental consistency: a message that parses whole is only "incomplete" in every prefix.
          for (let n = 0; n < r.length; n++) expect(parse(input.subarray(0, n)).kind).toBe('incomplete');
        }
        if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(0);
      }
    }
    // The generator exercises all three outcomes, or the property proves little.
    expect(seen.ok).toBeGreaterThan(100);
    expect(seen.error).toBeGreaterThan(100);
    expect(seen.incomplete).toBeGreaterThan(100);
  });
});
