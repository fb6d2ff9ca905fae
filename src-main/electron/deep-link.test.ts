import { describe, expect, it } from 'vitest';
import { prng } from '../../test-support/prng';
import {
  deepLinkSourceLine,
  MAX_INLINE_PROFILE_BYTES,
  parseDeepLink,
  type DeepLinkResult,
} from './deep-link';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const urlLink = (u: string): string => `porthole://import?url=${encodeURIComponent(u)}`;

function reasonOf(r: DeepLinkResult): string {
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.reason;
}

describe('parseDeepLink: accepted links', () => {
  it('takes an https profile URL and normalises it', () => {
    expect(parseDeepLink(urlLink('https://Example.com/p/team.yaml?v=2'))).toEqual({
      ok: true,
      action: 'import',
      source: { kind: 'url', url: 'https://example.com/p/team.yaml?v=2' },
    });
    expect(parseDeepLink(`PORTHOLE://import/?url=${encodeURIComponent('https://a.example/x')}`).ok).toBe(true);
  });

  it('takes an inline base64url profile as UTF-8 text', () => {
    const text = 'rules:\n  - name: wéb → 8080\n';
    expect(parseDeepLink(`porthole://import?profile=${b64(text)}`)).toEqual({
      ok: true,
      action: 'import',
      source: { kind: 'inline', text },
    });
  });

  it('takes an inline profile of exactly 64 KiB, not one byte more', () => {
    expect(parseDeepLink(`porthole://import?profile=${b64('a'.repeat(MAX_INLINE_PROFILE_BYTES))}`).ok).toBe(true);
    expect(reasonOf(parseDeepLink(`porthole://import?profile=${b64('a'.repeat(MAX_INLINE_PROFILE_BYTES + 1))}`))).toMatch(/64 KiB/);
  });
});

describe('parseDeepLink: refused links', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not a string', 42, /not text/],
    ['other scheme', 'https://import?url=x', /not a porthole/],
    ['no slashes', 'porthole:import?url=https://a', /not a porthole/],
    ['other action', `porthole://delete?url=${encodeURIComponent('https://a.example')}`, /unknown link action/],
    ['extra path', `porthole://import/x?url=${encodeURIComponent('https://a.example')}`, /unknown link action/],
    ['user on the link', `porthole://me@import?url=${encodeURIComponent('https://a.example')}`, /user/],
    ['port on the link', `porthole://import:99?url=${encodeURIComponent('https://a.example')}`, /port/],
    ['fragment', `porthole://import?url=${encodeURIComponent('https://a.example')}#x`, /fragment/],
    ['http', urlLink('http://a.example/p.yaml'), /https/],
    ['file', urlLink('file:///etc/passwd'), /https/],
    ['javascript', urlLink('javascript:alert(1)'), /https/],
    ['credentials', urlLink('https://user:pw@a.example/p'), /password/],
    ['NUL in the url', `porthole://import?url=https://a.example/%00`, /control/],
    ['newline in the url', `porthole://import?url=https://a.example/%0Ax`, /control/],
    ['too long url', urlLink(`https://a.example/${'x'.repeat(2048)}`), /2048/],
    ['duplicate url', `porthole://import?url=https://a.example&url=https://b.example`, /more than once/],
    ['both', `porthole://import?url=https://a.example&profile=${b64('x')}`, /not both/],
    ['unknown param', `porthole://import?url=https://a.example&auto=1`, /unknown parameter/],
    ['nothing', 'porthole://import', /nothing to import/],
    ['raw space', 'porthole://import?url=https://a.example/a b', /spaces/],
    ['raw newline', 'porthole://import?url=https://a.example/\n', /control/],
    ['non-ascii', 'porthole://import?url=https://ä.example/', /non-ASCII/],
    ['padded base64', `porthole://import?profile=YQ==`, /base64url/],
    ['standard base64', `porthole://import?profile=a+b/`, /base64url/],
    ['non-canonical base64', `porthole://import?profile=YR`, /base64url/],
    ['invalid UTF-8', `porthole://import?profile=${b64(Buffer.from([0xff, 0xfe, 0x41]))}`, /UTF-8/],
    ['NUL in profile', `porthole://import?profile=${b64('a\u0000b')}`, /NUL/],
    ['empty profile', 'porthole://import?profile=', /empty/],
    ['huge', `porthole://import?profile=${'A'.repeat(200_000)}`, /too long/],
  ];
  it.each(cases)('refuses %s', (_name, input, reason) => {
    expect(reasonOf(parseDeepLink(input))).toMatch(reason);
  });
});

describe('parseDeepLink: random input', () => {
  const ALPHABET = 'porthle:/?&=%#@+-_.~ \n\u0000\u00e9\u202eABCxyz0129https://import?url=profile=%00%0a%25';

  function randomString(rand: () => number, maxLen: number): string {
    const len = Math.floor(rand() * maxLen);
    let s = '';
    for (let i = 0; i < len; i++) {
      const r = rand();
      s += r < 0.7 ? ALPHABET[Math.floor(rand() * ALPHABET.length)] : String.fromCharCode(Math.floor(rand() * 0x3000));
    }
    return s;
  }

  it('never throws and always answers ok or a reason, for 5000 seeded strings', () => {
    const rand = prng(0x5eed);
    const prefixes = ['', 'porthole://', 'porthole://import?', 'porthole://import?url=', 'porthole://import?profile='];
    for (let i = 0; i < 5000; i++) {
      const raw = prefixes[i % prefixes.length] + randomString(rand, 120);
      const r = parseDeepLink(raw);
      if (r.ok) {
        if (r.source.kind === 'url') expect(r.source.url.startsWith('https://')).toBe(true);
        else expect(r.source.text.includes('\u0000')).toBe(false);
      } else {
        expect(typeof r.reason).toBe('string');
        expect(r.reason.length).toBeGreaterThan(0);
      }
    }
  });

  it('round-trips random byte payloads that are valid UTF-8 without NUL', () => {
    const rand = prng(7);
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 200) }, () => String.fromCodePoint(1 + Math.floor(rand() * 0xd7ff))).join('');
      const r = parseDeepLink(`porthole://import?profile=${b64(text)}`);
      expect(r).toEqual({ ok: true, action: 'import', source: { kind: 'inline', text: text.replace(/^\uFEFF/, '') } });
    }
  });

  it('never throws for non-string input', () => {
    for (const v of [undefined, null, 0, {}, [], Symbol('x'), () => 1, new URL('porthole://import')]) {
      expect(parseDeepLink(v).ok).toBe(false);
    }
  });
});

describe('deepLinkSourceLine', () => {
  it('hides paths, queries and contents', () => {
    expect(deepLinkSourceLine({ kind: 'url', url: 'https://a.example/secret?token=t' })).toEqual([
      'Import link received: https://a.example/… (path hidden)',
      { key: 'importLinkUrl', fields: { origin: 'https://a.example' } },
    ]);
    expect(deepLinkSourceLine({ kind: 'inline', text: 'é' })[0]).toBe('Import link received: an inline profile of 2 bytes');
  });
});
