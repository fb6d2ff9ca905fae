import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../i18n/format';
import { useMediaQuery } from '../lib/use-media-query';
import { openDialog, useApp } from '../store/app-store';
import { ImportExportButtons } from './import-menu';
import { ViewTabs } from './view-tabs';

/** Below this width Import and Export fold into one "More" menu (styles.css wraps the tabs below 1280 px). */
export const COMPACT_HEADER_QUERY = '(max-width: 899px)';

export function Header() {
  const { t } = useTranslation();
  const compact = useMediaQuery(COMPACT_HEADER_QUERY);
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
      <div className="header-actions" data-testid="header-actions">
        <ImportExportButtons compact={compact} />
        <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create' })}>
          {t('shell.header.newMapping')}
        </button>
      </div>
    </header>
  );
}
