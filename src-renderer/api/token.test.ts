import { describe, expect, it } from 'vitest';
import { apiSocketUrl, tokenFromHash } from './token';

describe('tokenFromHash', () => {
  it('reads the token from the fragment the CLI prints', () => {
    expect(tokenFromHash('#token=abc123')).toBe('abc123');
    expect(tokenFromHash('#view=logs&token=ff00')).toBe('ff00');
  });
  it('says there is none when it is missing or empty', () => {
    expect(tokenFromHash('')).toBeUndefined();
    expect(tokenFromHash('#token=')).toBeUndefined();
    expect(tokenFromHash('#other=1')).toBeUndefined();
  });
});

describe('apiSocketUrl', () => {
  it('uses wss for https pages and the page host', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:5000' }, 'ab')).toBe('ws://127.0.0.1:5000/api?token=ab');
    expect(apiSocketUrl({ protocol: 'https:', host: 'x.example' }, 'ab')).toBe('wss://x.example/api?token=ab');
  });
});
