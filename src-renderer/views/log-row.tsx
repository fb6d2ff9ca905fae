import { memo, type MouseEvent } from 'react';
import type { LogLevel } from '../../src-shared/model/log';
import type { TextPart } from '../store/log-filter';
import { clockTime, dateTime } from '../store/log-export';

export interface LogRowProps {
  id: number;
  index: number;
  start: number;
  ts: number;
  level: LogLevel;
  /** The level's name in the UI language. */
  levelLabel: string;
  rule: string;
  message: string;
  code: string | undefined;
  selected: boolean;
  /** The search's hits in this line (stable per search, so rows re-render only when it changes). */
  highlight: ((id: number, message: string) => TextPart[]) | undefined;
  measure: (el: HTMLElement | null) => void;
  onPick: (id: number, e: MouseEvent) => void;
}

/** One log line. Memoised: a line's content never changes, so only selection or the search re-render it. */
export const LogRow = memo(function LogRow({ id, index, start, ts, level, levelLabel, rule, message, code, selected, highlight, measure, onPick }: LogRowProps) {
  return (
    <div
      ref={measure}
      role="option"
      aria-selected={selected}
      data-index={index}
      data-id={id}
      data-level={level}
      data-testid="log-line"
      className={`log-line level-${level}${selected ? ' is-selected' : ''}`}
      style={{ transform: `translateY(${start}px)` }}
      onClick={(e) => onPick(id, e)}
    >
      <time dateTime={new Date(ts).toISOString()} title={dateTime(ts)}>
        {clockTime(ts)}
      </time>
      <span className="log-level">{levelLabel}</span>
      <span className="log-rule" title={rule || undefined}>
        {rule || '—'}
      </span>
      <span className="log-msg">
        {highlight ? highlight(id, message).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : p.text)) : message}
        {code && <span className="log-code"> {code}</span>}
      </span>
    </div>
  );
});
