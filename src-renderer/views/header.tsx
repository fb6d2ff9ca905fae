import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../i18n/format';
import { openDialog, useApp } from '../store/app-store';
import { ImportExportButtons } from './import-menu';
import { ViewTabs } from './view-tabs';

export function Header() {
  const { t } = useTranslation();
  const total = useApp((s) => s.order.length);
  const loaded = useApp((s) => s.loaded);
  const running = useApp((s) => s.order.reduce((n, id) => (s.statuses[id]?.state === 'running' ? n + 1 : n), 0));
  return (
    <header className="app-header">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        {/* The page's one <h1>: the product name (styled as the wordmark, see styles.css). */}
        <h1 className="wordmark">Porthole</h1>
      </div>
      <ViewTabs />
      <p className="running-count" data-testid="running-count" aria-live="polite">
        {!loaded ? '' : total === 0 ? t('shell.header.noMappings') : t('shell.header.running', { running: fmtNumber(running), total: fmtNumber(total) })}
      </p>
      <ImportExportButtons />
      <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create' })}>
        {t('shell.header.newMapping')}
      </button>
    </header>
  );
}
