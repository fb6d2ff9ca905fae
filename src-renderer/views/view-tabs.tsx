import { useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { showView, useApp, type MainView } from '../store/app-store';

export const VIEW_PANEL_ID = 'view-panel';

/** The tabs in order; their names are `shell.tabs.<view>`. */
const TABS: readonly MainView[] = ['mappings', 'dashboard', 'connections', 'inspector', 'servers', 'relay', 'settings'];

export function tabId(view: MainView): string {
  return `tab-${view}`;
}

/** Top-level navigation: a tablist with roving focus (arrow keys, Home, End), activating on focus. */
export function ViewTabs() {
  const { t } = useTranslation();
  const view = useApp((s) => s.ui.view);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
    const current = TABS.indexOf(view);
    const last = TABS.length - 1;
    const next =
      e.key === 'ArrowRight' ? (current + 1) % TABS.length : e.key === 'ArrowLeft' ? (current + last) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? last : -1;
    const tab = TABS[next];
    if (!tab) return;
    e.preventDefault();
    showView(tab);
    refs.current[next]?.focus();
  }

  return (
    <div className="view-tabs" role="tablist" aria-label={t('shell.tabs.label')} onKeyDown={onKeyDown}>
      {TABS.map((tab, i) => (
        <button
          key={tab}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={tabId(tab)}
          aria-selected={view === tab}
          aria-controls={VIEW_PANEL_ID}
          tabIndex={view === tab ? 0 : -1}
          className="view-tab"
          onClick={() => showView(tab)}
        >
          {t(`shell.tabs.${tab}`)}
        </button>
      ))}
    </div>
  );
}
