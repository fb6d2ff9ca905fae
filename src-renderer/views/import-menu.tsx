import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useActions } from '../api/api-context';
import { useApp } from '../store/app-store';
import { setExportOpen, setPasteOpen } from '../store/imports';

const ACCEPT = '.yaml,.yml,.json,.toml,.ini,.conf,.cfg,.txt,text/*,application/json,application/yaml,application/toml';

/**
 * The header's "Import" menu (choose files, or paste text) and "Export…" button; `compact` (a narrow
 * window) folds all three into one "More" menu so nothing is pushed off screen.
 */
export function ImportExportButtons({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const actions = useActions();
  const hasRules = useApp((s) => s.order.length > 0);
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (!open) return;
    items.current[0]?.focus();
    const onDown = (e: PointerEvent) => {
      if (e.target instanceof Node && !wrap.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  function close(focusButton: boolean): void {
    setOpen(false);
    if (focusButton) button.current?.focus();
  }

  function onMenuKey(e: KeyboardEvent<HTMLDivElement>): void {
    const list = items.current.filter((x): x is HTMLButtonElement => x !== null);
    const at = list.findIndex((x) => x === document.activeElement);
    const next = e.key === 'ArrowDown' ? (at + 1) % list.length : e.key === 'ArrowUp' ? (at + list.length - 1) % list.length : e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : -1;
    if (e.key === 'Escape' || e.key === 'Tab') {
      if (e.key === 'Escape') e.preventDefault();
      close(e.key === 'Escape');
      return;
    }
    if (next < 0) return;
    e.preventDefault();
    list[next]?.focus();
  }

  return (
    <div className="import-menu" ref={wrap}>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="import-file-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length > 0) void actions.imports.previewFiles(files);
        }}
      />
      <button
        ref={button}
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="import-menu-list"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {compact ? t('importExport.menu.more') : t('importExport.menu.import')} <span aria-hidden="true" className="menu-caret">▾</span>
      </button>
      {open && (
        <div
          className={`menu${compact ? ' menu-end' : ''}`}
          role="menu"
          id="import-menu-list"
          aria-label={compact ? t('importExport.menu.more') : t('importExport.menu.import')}
          onKeyDown={onMenuKey}
        >
          <button
            ref={(el) => {
              items.current[0] = el;
            }}
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => {
              close(false);
              // The desktop app's native dialog lets the host read the files by path (an ssh_config's
              // Includes are then followed); in a browser the page reads them, as text.
              const shell = window.portholeShell;
              if (shell) void shell.chooseImportFiles().catch(() => input.current?.click());
              else input.current?.click();
            }}
          >
            {t('importExport.menu.chooseFiles')}
            <span className="menu-item-hint">{t('importExport.menu.chooseFilesHint')}</span>
          </button>
          <button
            ref={(el) => {
              items.current[1] = el;
            }}
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => {
              close(false);
              setPasteOpen(true);
            }}
          >
            {t('importExport.menu.pasteText')}
            <span className="menu-item-hint">{t('importExport.menu.pasteTextHint')}</span>
          </button>
          {compact && (
            <button
              ref={(el) => {
                items.current[2] = el;
              }}
              type="button"
              role="menuitem"
              className="menu-item"
              aria-disabled={!hasRules}
              onClick={() => {
                if (!hasRules) return;
                close(false);
                setExportOpen(true);
              }}
            >
              {t('importExport.menu.export')}
              {!hasRules && <span className="menu-item-hint">{t('importExport.menu.nothingToExport')}</span>}
            </button>
          )}
        </div>
      )}
      {!compact && (
        <button type="button" className="btn" disabled={!hasRules} title={hasRules ? undefined : t('importExport.menu.nothingToExport')} onClick={() => setExportOpen(true)}>
          {t('importExport.menu.export')}
        </button>
      )}
    </div>
  );
}
