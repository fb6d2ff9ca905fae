import { useVirtualizer, type VirtualizerOptions } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LOG_LEVELS, type LogLevel } from '../../src-shared/model/log';
import { ruleLabel } from '../store/log-export';
import type { LogSelection } from './log-selection';
import { LogRow } from './log-row';
import type { LogViewModel } from './use-log-view';

/** One line of 12.5px monospace text plus padding; longer messages wrap and are measured. */
const ROW_ESTIMATE = 20;
/**
 * How close to the end still counts as "at the end": two rows. Rows measured taller than estimated
 * (wrapped lines) move the end after a scroll lands there; a user who scrolled up by a wheel notch is
 * well past this.
 */
const END_SLACK = 40;
const estimateSize = (): number => ROW_ESTIMATE;
/**
 * The virtualizer's corrections (rows measured taller than estimated above the view) come as
 * `adjustments` to the offset it last saw. Applied to where the element is now instead: a scroll written
 * since — a fast scrollbar drag, a programmatic jump to the end — would otherwise be undone by it.
 */
const scrollToFn: VirtualizerOptions<HTMLDivElement, Element>['scrollToFn'] = (offset, { adjustments, behavior }, instance) => {
  const el = instance.scrollElement;
  if (!el) return;
  if (adjustments) el.scrollTop += adjustments;
  else el.scrollTo({ top: offset, behavior });
};
/** Measured sizes kept before pruning the ones of dropped lines. */
const SIZE_CACHE_SLACK = 20_000;

interface LogListProps {
  model: LogViewModel;
  paused: boolean;
  names: Readonly<Record<string, string>>;
  selection: LogSelection;
  onPick: (id: number, e: MouseEvent) => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => void;
}

/**
 * The virtualized lines: only the rows in view (plus a few) are in the DOM. It follows the newest line
 * while scrolled to the end; scrolling up stops that and offers a "↓ N new lines" button instead.
 */
export function LogList({ model, paused, names, selection, onPick, onKeyDown }: LogListProps) {
  const { t } = useTranslation();
  // One string per level, so the memoised rows only re-render when the language changes.
  const levelLabels = useMemo(() => Object.fromEntries(LOG_LEVELS.map((l) => [l, t(`logs.level.${l}`)])) as Record<LogLevel, string>, [t]);
  const { ring, view, compiled, count } = model;
  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  /** Id of the newest line shown when following stopped: later ones are "new". */
  const [seenUpTo, setSeenUpTo] = useState(-1);

  const getItemKey = useCallback((i: number) => view.idAt(i), [view]);
  const getScrollElement = useCallback(() => scroller.current, []);
  // TanStack Virtual keeps mutable state and hands back fresh functions; it cannot be memoised.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    // Stable callbacks: a new function here makes the virtualizer rebuild all 100,000 offsets.
    getScrollElement,
    estimateSize,
    scrollToFn,
    getItemKey,
    overscan: 5,
    paddingStart: 4,
    paddingEnd: 4,
    // Keep the reader's line in place when the oldest lines are dropped, and follow appends at the end.
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: END_SLACK,
  });

  // The virtualizer remembers every row it measured, by id; forget the lines the ring dropped, or a
  // window left open for days keeps a size for every line it ever showed.
  useEffect(() => {
    const sizes = virtualizer.itemSizeCache;
    if (sizes.size <= SIZE_CACHE_SLACK) return;
    const first = ring.firstId;
    for (const key of sizes.keys()) if (typeof key === 'number' && key < first) sizes.delete(key);
  });

  // A new filter (or the first render) while following: jump to its newest line.
  useLayoutEffect(() => {
    if (following && count > 0) virtualizer.scrollToEnd();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the view itself changes
  }, [view]);

  const lastId = count > 0 ? view.idAt(count - 1) : -1;

  // Following, the end stays in view even when the list got shorter meanwhile (a banner, a smaller
  // window) and the virtualizer no longer counts it as "at the end" when lines arrive.
  const totalSize = virtualizer.getTotalSize();
  const seen = useRef({ lastId: -1, height: 0, totalSize: 0 });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const prev = seen.current;
    const changed = prev.lastId !== lastId || prev.height !== el.clientHeight || prev.totalSize !== totalSize;
    seen.current = { lastId, height: el.clientHeight, totalSize };
    if (following && changed && el.scrollHeight - el.scrollTop - el.clientHeight > 1) virtualizer.scrollToEnd();
  });

  const newLines = following ? 0 : Math.max(0, count - view.countBelow(seenUpTo + 1));

  function onScroll(): void {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight <= END_SLACK;
    if (atEnd === following) return;
    setFollowing(atEnd);
    if (!atEnd) setSeenUpTo(lastId);
  }

  const jumpToEnd = useCallback(() => {
    setFollowing(true);
    virtualizer.scrollToEnd();
  }, [virtualizer]);

  const items = virtualizer.getVirtualItems();
  return (
    <div className={`log-list-wrap${paused ? ' is-paused' : ''}`}>
      <div
        id="log-lines"
        ref={scroller}
        className="log-lines"
        data-testid="log-lines"
        data-following={following}
        data-count={count}
        tabIndex={0}
        role="listbox"
        aria-multiselectable="true"
        aria-label={t('logs.list.label')}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        <div className="log-sizer" style={{ height: totalSize }}>
          {items.map((vi) => {
            const id = view.idAt(vi.index);
            // The ring may have dropped this line since the view last caught up (it reuses the slot).
            if (!ring.has(id)) {
              return (
                <div
                  key={vi.key.toString()}
                  ref={virtualizer.measureElement}
                  data-index={vi.index}
                  className="log-line is-dropped"
                  style={{ transform: `translateY(${vi.start}px)` }}
                />
              );
            }
            return (
              <LogRow
                key={vi.key.toString()}
                id={id}
                index={vi.index}
                start={vi.start}
                ts={ring.tsOf(id)}
                level={ring.levelOf(id)}
                levelLabel={levelLabels[ring.levelOf(id)]}
                rule={ruleLabel(ring.ruleOf(id), names, ring.ruleNameOf(id))}
                message={ring.messageOf(id)}
                code={ring.codeOf(id)}
                selected={selection.ids.has(id)}
                highlight={compiled.highlight}
                measure={virtualizer.measureElement}
                onPick={onPick}
              />
            );
          })}
        </div>
      </div>
      {!following && (
        <button type="button" className="log-jump" data-testid="log-jump" onClick={jumpToEnd}>
          ↓ {newLines > 0 ? t('logs.list.newLines', { count: newLines }) : t('logs.list.latest')}
        </button>
      )}
    </div>
  );
}
