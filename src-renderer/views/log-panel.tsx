import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../i18n/format';
import { copyPlainText } from '../lib/clipboard';
import { downloadText } from '../lib/download-text';
import { appStore, logOpen, setLogFilter, setLogOpen, useApp } from '../store/app-store';
import { describeLogFilter, exportFileName, formatLogLines } from '../store/log-export';
import { isFiltering, showEverything } from '../store/log-filter';
import { LogList } from './log-list';
import { idsToCopy, NO_SELECTION, pickLine, selectAll, selectionFor, type LogSelection } from './log-selection';
import { LogResizer, useLogHeight } from './log-resizer';
import { LogStrip } from './log-strip';
import { LevelToggles, RuleSelect, SearchField } from './log-toolbar';
import { useLogView } from './use-log-view';
import '../logs.css';

export function LogPanel() {
  const { t } = useTranslation();
  const open = useApp((s) => logOpen(s.ui));
  const names = useApp((s) => s.ruleNames);
  const filter = useApp((s) => s.ui.logFilter);
  const model = useLogView();
  const { ring, view, count, total, buffered, paused, setPaused, compiled } = model;
  const [expanded, setExpanded] = useState(false);
  const panel = useRef<HTMLElement>(null);
  const { height, set: setHeight } = useLogHeight();
  const onResize = useCallback(
    (h: number, commit: boolean) => {
      setExpanded(false);
      setHeight(h, commit);
    },
    [setHeight],
  );
  const [rawSelection, setSelection] = useState<LogSelection>(NO_SELECTION);
  const selection = selectionFor(rawSelection, view);
  const [note, setNote] = useState('');

  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => setNote(''), 2500);
    return () => clearTimeout(timer);
  }, [note]);

  const onPick = useCallback(
    (id: number, e: MouseEvent) => {
      const toggle = e.ctrlKey || e.metaKey;
      const text = window.getSelection();
      // A drag that selected text is a text selection, not a click on the line; shift-click extends
      // the browser's text selection as well, which is not what a range of lines means here.
      if (e.shiftKey || toggle) text?.removeAllRanges();
      else if (text && !text.isCollapsed) return;
      setSelection((s) => pickLine(s, view, count, id, { range: e.shiftKey, toggle }));
    },
    [view, count],
  );

  function copyLines(): void {
    const ids = idsToCopy(selection, view, count);
    copyPlainText(formatLogLines(ring, ids, appStore.getState().ruleNames)).then(
      () => setNote(t('logs.panel.copied', { count: ids.length })),
      (err: unknown) => setNote(t('logs.panel.couldNotCopy', { error: err instanceof Error ? err.message : String(err) })),
    );
  }

  function exportLines(): void {
    const ids = idsToCopy(NO_SELECTION, view, count);
    const { ruleNames, ui } = appStore.getState();
    const header = t('logs.export.header', { time: new Date().toISOString(), count: ids.length, filter: describeLogFilter(ui.logFilter, ruleNames) });
    downloadText(exportFileName(ui.logFilter, ruleNames), `${header}\n${formatLogLines(ring, ids, ruleNames)}`);
    setNote(t('logs.panel.exported', { count: ids.length }));
  }

  function onListKey(e: KeyboardEvent<HTMLDivElement>): void {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      setSelection(selectAll(view, count));
    } else if (mod && e.key.toLowerCase() === 'c' && selection.ids.size > 0) {
      e.preventDefault();
      copyLines();
    } else if (e.key === 'Escape' && selection.ids.size > 0) {
      setSelection(NO_SELECTION);
    }
  }

  const filtering = isFiltering(filter);
  const summary = filtering || paused ? t('logs.panel.summaryOf', { shown: fmtNumber(count), total: fmtNumber(total) }) : fmtNumber(total);
  const selected = selection.ids.size;

  return (
    <section
      ref={panel}
      className={`log-panel${open ? ' is-open' : ''}${open && expanded ? ' is-expanded' : ''}`}
      style={open && !expanded && height !== null ? { height } : undefined}
      aria-label={t('logs.panel.title')}
      data-testid="log-panel"
    >
      {open && <LogResizer panel={panel} height={expanded ? null : height} onResize={onResize} />}
      <div className="log-bar">
        <button type="button" className="log-toggle" aria-expanded={open} aria-controls="log-lines" onClick={() => setLogOpen(!open)}>
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {t('logs.panel.title')} <span className="muted" data-testid="log-summary">({summary})</span>
          {paused && (
            <span className="sr-only" data-testid="log-paused">
              {t('logs.panel.paused')}
            </span>
          )}
        </button>
        {!open && <LogStrip ring={ring} names={names} />}
        {open && (
          <div className="log-tools">
            <LevelToggles counts={ring.levelCounts()} />
            <RuleSelect />
            <SearchField error={compiled.error} />
            <div className="log-actions">
              <button
                type="button"
                className={`btn btn-small log-pause${paused ? ' is-paused' : ''}`}
                aria-pressed={paused}
                data-testid="log-pause"
                title={paused ? t('logs.panel.resumeTitle') : t('logs.panel.pauseTitle')}
                onClick={() => setPaused(!paused)}
              >
                {paused ? t('logs.panel.resume', { n: fmtNumber(buffered) }) : t('logs.panel.pause')}
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={count === 0}
                title={selected > 0 ? t('logs.panel.copySelectedTitle') : t('logs.panel.copyAllTitle')}
                onClick={copyLines}
              >
                {selected > 0 ? t('logs.panel.copySelected', { n: fmtNumber(selected) }) : t('logs.panel.copyAll')}
              </button>
              <button type="button" className="btn btn-small" disabled={count === 0} title={t('logs.panel.exportTitle')} onClick={exportLines}>
                {t('logs.panel.export')}
              </button>
              <button
                type="button"
                className="btn btn-small btn-ghost log-expand"
                aria-pressed={expanded}
                aria-label={expanded ? t('logs.panel.shrink') : t('logs.panel.enlarge')}
                title={expanded ? t('logs.panel.shrink') : t('logs.panel.enlarge')}
                onClick={() => setExpanded(!expanded)}
              >
                {expanded ? '⤓' : '⤒'}
              </button>
            </div>
          </div>
        )}
      </div>
      {open && (
        <div className="log-body">
          {count > 0 ? (
            <LogList paused={paused} model={model} names={names} selection={selection} onPick={onPick} onKeyDown={onListKey} />
          ) : (
            <div className="log-empty" id="log-lines" data-testid="log-lines" data-count={0}>
              {total === 0 ? (
                t('logs.panel.empty')
              ) : (
                <>
                  {t('logs.panel.noMatch', { count: total })}{' '}
                  <button type="button" className="link-btn" onClick={() => setLogFilter(showEverything())}>
                    {t('logs.panel.showEverything')}
                  </button>
                </>
              )}
            </div>
          )}
        </div>
      )}
      <span className="sr-only" role="status" data-testid="log-note">
        {note}
      </span>
      {note && (
        <div className="log-toast" aria-hidden="true">
          {note}
        </div>
      )}
    </section>
  );
}
