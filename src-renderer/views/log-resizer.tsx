import { useCallback, useRef, useState, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

// The log panel's height: dragged at its top edge (or set with the arrow keys there), remembered in
// this browser (localStorage) so a reload or the next start keeps it. Null: the stylesheet's default.

const STORAGE_KEY = 'porthole.logHeight';
export const LOG_MIN_HEIGHT = 120;
/** What the header, the view's toolbar and a few rows need above the panel. */
const ROOM_ABOVE = 220;
const STEP = 16;

function maxHeight(): number {
  return Math.max(LOG_MIN_HEIGHT, window.innerHeight - ROOM_ABOVE);
}

function clamp(h: number): number {
  return Math.round(Math.min(maxHeight(), Math.max(LOG_MIN_HEIGHT, h)));
}

function readSaved(): number | null {
  try {
    const v = Number(localStorage.getItem(STORAGE_KEY));
    return Number.isFinite(v) && v >= LOG_MIN_HEIGHT ? v : null;
  } catch {
    return null;
  }
}

function save(h: number): void {
  try {
    localStorage.setItem(STORAGE_KEY, String(h));
  } catch {
    /* storage disabled: the height lasts until reload */
  }
}

/** The remembered height (clamped to this window) and a setter; `commit` also saves it. */
export function useLogHeight(): { height: number | null; set: (h: number, commit: boolean) => void } {
  const [height, setHeight] = useState<number | null>(() => {
    const saved = readSaved();
    return saved === null ? null : clamp(saved);
  });
  const set = useCallback((h: number, commit: boolean) => {
    const v = clamp(h);
    setHeight(v);
    if (commit) save(v);
  }, []);
  return { height, set };
}

/** The drag handle on the panel's top edge: a focusable separator (ARIA window splitter pattern). */
export function LogResizer({ panel, height, onResize }: { panel: RefObject<HTMLElement | null>; height: number | null; onResize: (h: number, commit: boolean) => void }) {
  const { t } = useTranslation();
  const drag = useRef<{ y: number; h: number } | null>(null);
  const current = () => height ?? panel.current?.getBoundingClientRect().height ?? LOG_MIN_HEIGHT;

  function onPointerDown(e: PointerEvent<HTMLDivElement>): void {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { y: e.clientY, h: current() };
  }
  function onPointerMove(e: PointerEvent<HTMLDivElement>): void {
    const d = drag.current;
    if (d) onResize(d.h + (d.y - e.clientY), false);
  }
  function onPointerUp(e: PointerEvent<HTMLDivElement>): void {
    const d = drag.current;
    drag.current = null;
    if (d) onResize(d.h + (d.y - e.clientY), true);
  }
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
    const delta = e.key === 'ArrowUp' ? STEP : e.key === 'ArrowDown' ? -STEP : e.key === 'PageUp' ? STEP * 5 : e.key === 'PageDown' ? -STEP * 5 : 0;
    if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      onResize(e.key === 'Home' ? LOG_MIN_HEIGHT : maxHeight(), true);
    } else if (delta !== 0) {
      e.preventDefault();
      onResize(current() + delta, true);
    }
  }

  return (
    <div
      className="log-resizer"
      role="separator"
      aria-orientation="horizontal"
      aria-label={t('logs.panel.resize')}
      aria-controls="log-lines"
      aria-valuemin={LOG_MIN_HEIGHT}
      aria-valuemax={maxHeight()}
      aria-valuenow={Math.round(current())}
      tabIndex={0}
      data-testid="log-resizer"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => (drag.current = null)}
      onKeyDown={onKeyDown}
    />
  );
}
