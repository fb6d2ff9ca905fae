import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_WORDS } from '../../src-shared/model/log-text';

// The host's fixed phrases that travel in log fields (why an agent went offline, what the inspector gave
// up on, why a hidden start was not) are looked up by their exact English words (LOG_WORDS) to show them
// in a window's language. A phrase reworded at its source without LOG_WORDS would quietly stay English.

const src = (file: string) => readFileSync(join(__dirname, '..', file), 'utf8');
const words = new Set<string>(Object.values(LOG_WORDS));

/** The single-quoted strings in `text` that match `around` (its group 1). */
function quoted(text: string, around: RegExp): string[] {
  return [...text.matchAll(around)].map((m) => m[1]!);
}

describe('the phrases in log fields are the ones a window knows', () => {
  it('every fixed reason the inspector gives up with (http-capture.ts)', () => {
    const text = src('inspector/http-capture.ts');
    const found = [...quoted(text, /giveUp\([^;]*?'((?:the|a) [^']+)'/g), ...quoted(text, /\? '((?:the|a) [^']+)' : '/g), ...quoted(text, /: '((?:the|a) [^']+)'\);/g)];
    expect(found.length).toBeGreaterThanOrEqual(14);
    expect(found.filter((w) => !words.has(w))).toEqual([]);
  });

  it('every reason an agent goes offline on its own (the relay server: relay-accept.ts, relay-control.ts, relay-session-life.ts), and the tray host answers (tray-host.ts)', () => {
    const server = ['relay/relay-accept.ts', 'relay/relay-control.ts', 'relay/relay-session-life.ts'].map(src).join('\n');
    const offline = quoted(server, /endSession\(st, [^,]+, undefined, '([^']+)'\)/g);
    expect(offline.length).toBeGreaterThanOrEqual(5);
    expect(offline.filter((w) => !words.has(w))).toEqual([]);
    const tray = quoted(src('electron/tray-host.ts'), /^\s*[?:] '([^']+)';?$/gm);
    expect(tray.length).toBe(3);
    expect(tray.filter((w) => !words.has(w))).toEqual([]);
  });

  it('what a desktop setting failed to do (shell-switches.ts)', () => {
    const what = quoted(src('electron/shell-switches.ts'), /report\('([^']+)'/g);
    expect(what.length).toBe(2);
    expect(what.filter((w) => !words.has(w))).toEqual([]);
  });
});
