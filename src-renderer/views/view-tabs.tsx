import { useRef, type KeyboardEvent } from 'react';
import { showView, useApp, type MainView } from '../store/app-store';

export const VIEW_PANEL_ID = 'view-panel';

const TABS: readonly { view: MainView; label: string }[] = [
  { view: 'mappings', label: 'Mappings' },
  { view: 'dashboard', label: 'Dashboard' },
  { view: 'connections', label: 'Connections' },
  { view: 'servers', label: 'Servers' },
  { view: 'relay', label: 'Relay' },
  { view: 'settings', label: 'Settings' },
];

export function tabId(view: MainView): string {
  return `tab-${view}`;
}

/** Top-level navigation: a tablist with roving focus (arrow keys, Home, End), activating on focus. */
export function ViewTabs() {
  const view = useApp((s) => s.ui.view);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
    const current = TABS.findIndex((t) => t.view === view);
    const last = TABS.length - 1;
    const next =
      e.key === 'ArrowRight' ? (current + 1) % TABS.length : e.key === 'ArrowLeft' ? (current + last) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? last : -1;
    const tab = TABS[next];
    if (!tab) return;
    e.preventDefault();
    showView(tab.view);
    refs.current[next]?.focus();
  }

  return (
    <div className="view-tabs" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
      {TABS.map((t, i) => (
        <button
          key={t.view}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={tabId(t.view)}
          aria-selected={view === t.view}
          aria-controls={VIEW_PANEL_ID}
          tabIndex={view === t.view ? 0 : -1}
          className="view-tab"
          onClick={() => showView(t.view)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
