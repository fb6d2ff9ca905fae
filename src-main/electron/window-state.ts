import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Window bounds remembered across launches, in a small JSON file next to the rules store. No electron
// import: window.ts passes in the displays' work areas, so the clamping logic is unit-tested in Node.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent on first launch: the OS centres the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1100, height: 720, maximized: false };
export const MIN_WIDTH = 640;
export const MIN_HEIGHT = 420;
/** A window showing less than this much of itself on every display counts as lost off-screen. */
const MIN_VISIBLE = 80;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Validates what was read from disk; anything odd yields the defaults (never throws). */
export function parseWindowState(raw: unknown): WindowState {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_WINDOW_STATE };
  const r = raw as Record<string, unknown>;
  if (!isInt(r.width, 100, 20000) || !isInt(r.height, 100, 20000)) return { ...DEFAULT_WINDOW_STATE };
  const state: WindowState = { width: r.width, height: r.height, maximized: r.maximized === true };
  if (isInt(r.x, -100000, 100000) && isInt(r.y, -100000, 100000)) {
    state.x = r.x;
    state.y = r.y;
  }
  return state;
}

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? { w, h } : { w: 0, h: 0 };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}

/**
 * Fits saved bounds onto the current displays (work areas, primary first): shrinks the size to the
 * display, keeps the window on the display it overlaps most, and recentres it on the primary display
 * when it would be (nearly) invisible — e.g. it was last on a monitor that is now unplugged.
 */
export function clampBounds(bounds: Rect, displays: readonly Rect[]): Rect {
  const primary = displays[0];
  if (!primary) return { ...bounds, width: Math.max(bounds.width, MIN_WIDTH), height: Math.max(bounds.height, MIN_HEIGHT) };

  let best: Rect = primary;
  let bestArea = 0;
  let bestOverlap = { w: 0, h: 0 };
  for (const d of displays) {
    const o = overlap(bounds, d);
    if (o.w * o.h > bestArea) {
      best = d;
      bestArea = o.w * o.h;
      bestOverlap = o;
    }
  }
  // Enough of the window in both directions to grab it; a 20-px-wide strip does not count.
  const visible =
    bestOverlap.w >= Math.min(MIN_VISIBLE, bounds.width) && bestOverlap.h >= Math.min(MIN_VISIBLE, bounds.height);
  const target = visible ? best : primary;
  const width = Math.min(Math.max(bounds.width, MIN_WIDTH), target.width);
  const height = Math.min(Math.max(bounds.height, MIN_HEIGHT), target.height);
  if (!visible) {
    return {
      x: target.x + Math.round((target.width - width) / 2),
      y: target.y + Math.round((target.height - height) / 2),
      width,
      height,
    };
  }
  return {
    x: clamp(bounds.x, target.x, target.x + target.width - width),
    y: clamp(bounds.y, target.y, target.y + target.height - height),
    width,
    height,
  };
}

/** The state to open with: the saved one, fitted to today's displays. */
export function resolveInitialState(saved: WindowState, displays: readonly Rect[]): WindowState {
  if (saved.x === undefined || saved.y === undefined) {
    const primary = displays[0];
    if (!primary) return saved;
    return {
      width: Math.min(Math.max(saved.width, MIN_WIDTH), primary.width),
      height: Math.min(Math.max(saved.height, MIN_HEIGHT), primary.height),
      maximized: saved.maximized,
    };
  }
  const fitted = clampBounds({ x: saved.x, y: saved.y, width: saved.width, height: saved.height }, displays);
  return { ...fitted, maximized: saved.maximized };
}

export function loadWindowState(dir: string): WindowState {
  try {
    return parseWindowState(JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8')));
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

/** Best effort: losing the window position is not worth an error dialog. */
export function saveWindowState(dir: string, state: WindowState): void {
  const path = join(dir, WINDOW_STATE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    /* read-only data dir or disk full: keep running */
  }
}
