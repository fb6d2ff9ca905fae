import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, type TokenPlace, apiSocketUrl, hashWithoutToken, takeToken, tokenFromHash } from './token';

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

/** A tab: its address, its history entries (replaceState rewrites the current one) and sessionStorage. */
function tab(hash: string, stored: Record<string, string> = {}) {
  const entries = [`/index.html${hash}`];
  const store = new Map(Object.entries(stored));
  const place: TokenPlace = {
    location: { pathname: '/index.html', search: '', hash },
    history: {
      state: { k: 1 },
      replaceState(_d, _u, url) {
        entries[entries.length - 1] = url ?? entries[entries.length - 1]!;
        place.location.hash = new URL(url ?? '', 'http://x').hash;
      },
    },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
  };
  return { place, entries, store };
}

describe('takeToken', () => {
  it('moves the token from the address into this tab’s storage, keeping the rest of the fragment', () => {
    const t = tab('#view=logs&token=ab12');
    expect(takeToken(t.place)).toBe('ab12');
    expect(t.entries).toEqual(['/index.html#view=logs']);
    expect(t.store.get(TOKEN_STORAGE_KEY)).toBe('ab12');
  });
  it('leaves no fragment at all when the token was all of it', () => {
    const t = tab('#token=ab12');
    takeToken(t.place);
    expect(t.entries).toEqual(['/index.html']);
    expect(t.entries.join()).not.toContain('ab12');
  });
  it('finds the stored token after a reload, and a new token in the address replaces it', () => {
    const reload = tab('', { [TOKEN_STORAGE_KEY]: 'old' });
    expect(takeToken(reload.place)).toBe('old');
    expect(reload.entries).toEqual(['/index.html']);
    const fresh = tab('#token=new', { [TOKEN_STORAGE_KEY]: 'old' });
    expect(takeToken(fresh.place)).toBe('new');
    expect(fresh.store.get(TOKEN_STORAGE_KEY)).toBe('new');
  });
  it('still works, for this load, where storage is refused', () => {
    const t = tab('#token=ab12');
    t.place.storage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(takeToken(t.place)).toBe('ab12');
    expect(t.entries).toEqual(['/index.html']);
    expect(takeToken(tab('').place)).toBeUndefined();
  });
  it('drops only the token pair from a fragment', () => {
    expect(hashWithoutToken('#a=1&token=x&b=2')).toBe('#a=1&b=2');
    expect(hashWithoutToken('#token=x')).toBe('');
  });
});

describe('apiSocketUrl', () => {
  it('uses wss for https pages and the page host, and never carries the token', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:5000' })).toBe('ws://127.0.0.1:5000/api');
    expect(apiSocketUrl({ protocol: 'https:', host: 'x.example' })).toBe('wss://x.example/api');
  });
});
