import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs } from './args';
import { parsePublicHosts, parseUiListen } from './cmd-host';

describe('CLI arguments', () => {
  const spec = { values: ['data-dir', 'listen'], booleans: ['udp'] };
  it('reads values in both spellings, booleans and positionals', () => {
    const a = parseArgs(['--data-dir', '/d', '--listen=0.0.0.0:1', '--udp', 'x', '--', '--y'], spec);
    expect(a.values).toEqual({ 'data-dir': '/d', listen: '0.0.0.0:1' });
    expect([...a.booleans]).toEqual(['udp']);
    expect(a.positionals).toEqual(['x', '--y']);
  });
  it('rejects unknown flags, missing values and values on booleans', () => {
    expect(() => parseArgs(['--nope'], spec)).toThrow(UsageError);
    expect(() => parseArgs(['--data-dir'], spec)).toThrow(/needs a value/);
    expect(() => parseArgs(['--udp=1'], spec)).toThrow(/takes no value/);
  });
  it('keeps every value of a repeated flag, in order', () => {
    const a = parseArgs(['--listen', 'a', '--listen=b'], spec);
    expect(a.values.listen).toBe('b');
    expect(a.lists.listen).toEqual(['a', 'b']);
  });
  it('reads --public-host repeated and comma-separated, refusing a bad one with exit-2 usage', () => {
    expect(parsePublicHosts(['a.example,b.example:81', 'https://c.example']).map((h) => h.hostname)).toEqual(['a.example', 'b.example', 'c.example']);
    expect(() => parsePublicHosts(['ok.example,bad/path'])).toThrow(UsageError);
  });
  it('parses the UI listen address, allowing port 0', () => {
    expect(parseUiListen(undefined)).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseUiListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseUiListen('0.0.0.0:7070')).toEqual({ host: '0.0.0.0', port: 7070 });
    expect(() => parseUiListen('nope:x')).toThrow(UsageError);
  });
});
