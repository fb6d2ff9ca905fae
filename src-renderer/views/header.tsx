import { openDialog, useApp } from '../store/app-store';
import { ImportExportButtons } from './import-menu';
import { ViewTabs } from './view-tabs';

export function Header() {
  const total = useApp((s) => s.order.length);
  const loaded = useApp((s) => s.loaded);
  const running = useApp((s) => s.order.reduce((n, id) => (s.statuses[id]?.state === 'running' ? n + 1 : n), 0));
  return (
    <header className="app-header">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        <span className="wordmark">Porthole</span>
      </div>
      <ViewTabs />
      <p className="running-count" data-testid="running-count" aria-live="polite">
        {!loaded ? '' : total === 0 ? 'No mappings' : `${running} of ${total} running`}
      </p>
      <ImportExportButtons />
      <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create' })}>
        New mapping
      </button>
    </header>
  );
}
