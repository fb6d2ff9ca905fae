import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clampBounds,
  DEFAULT_WINDOW_STATE,
  loadWindowState,
  MIN_HEIGHT,
  MIN_WIDTH,
  parseWindowState,
  resolveInitialState,
  saveWindowState,
  WINDOW_STATE_FILE,
} from './window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const external = { x: 1440, y: -200, width: 2560, height: 1400 };

describe('clampBounds', () => {
  it('keeps bounds that already fit', () => {
    const b = { x: 100, y: 50, width: 1000, height: 700 };
    expect(clampBounds(b, [laptop])).toEqual(b);
  });

  it('recentres on the primary display a window left on a display that is gone', () => {
    expect(clampBounds({ x: 3000, y: 100, width: 1000, height: 700 }, [laptop])).toEqual({
      x: 220,
      y: 88,
      width: 1000,
      height: 700,
    });
  });

  it('keeps a window on the second display it mostly overlaps, pulled fully inside', () => {
    expect(clampBounds({ x: 3800, y: 1000, width: 400, height: 500 }, [laptop, external])).toEqual({
      x: 3360,
      y: 700,
      width: MIN_WIDTH,
      height: 500,
    });
  });

  it('shrinks a window larger than its display and enforces the minimum size', () => {
    expect(clampBounds({ x: 0, y: 0, width: 5000, height: 3000 }, [laptop])).toEqual({ ...laptop });
    const tiny = clampBounds({ x: 10, y: 10, width: 50, height: 50 }, [laptop]);
    expect([tiny.width, tiny.height]).toEqual([MIN_WIDTH, MIN_HEIGHT]);
  });

  it('treats a sliver left on screen as lost', () => {
    const b = clampBounds({ x: 1420, y: 10, width: 800, height: 600 }, [laptop]);
    expect(b).toEqual({ x: 320, y: 138, width: 800, height: 600 });
  });

  it('returns the bounds (with minimum size) when no display is known', () => {
    expect(clampBounds({ x: 5, y: 6, width: 10, height: 10 }, [])).toEqual({ x: 5, y: 6, width: MIN_WIDTH, height: MIN_HEIGHT });
  });
});

describe('parseWindowState', () => {
  it('accepts a well-formed state', () => {
    expect(parseWindowState({ x: 1, y: 2, width: 900, height: 600, maximized: true })).toEqual({
      x: 1,
      y: 2,
      width: 900,
      height: 600,
      maximized: true,
    });
  });

  it('falls back to the defaults on junk, and drops a half-given position', () => {
    for (const junk of [null, 'x', 42, [], { width: '900', height: 600 }, { width: 1e9, height: 600 }, { width: 9.5, height: 600 }]) {
      expect(parseWindowState(junk)).toEqual(DEFAULT_WINDOW_STATE);
    }
    expect(parseWindowState({ x: 5, width: 900, height: 600, maximized: 'yes' })).toEqual({
      width: 900,
      height: 600,
      maximized: false,
    });
  });
});

describe('resolveInitialState', () => {
  it('leaves the position to the OS on first launch, sized to the primary display', () => {
    expect(resolveInitialState({ width: 3000, height: 700, maximized: false }, [laptop])).toEqual({
      width: 1440,
      height: 700,
      maximized: false,
    });
  });
});

describe('loadWindowState / saveWindowState', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('round-trips through the JSON file and survives a corrupt one', () => {
    dir = mkdtempSync(join(tmpdir(), 'porthole-ws-'));
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
    const state = { x: 10, y: 20, width: 800, height: 600, maximized: false };
    saveWindowState(dir, state);
    expect(loadWindowState(dir)).toEqual(state);
    expect(JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8'))).toEqual(state);
    writeFileSync(join(dir, WINDOW_STATE_FILE), '{not json');
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
  });
});
