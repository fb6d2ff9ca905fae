import { Trans, useTranslation } from 'react-i18next';
import { useApp, type MainView } from '../store/app-store';
import { Banners } from './banners';
import { ConnectionsView } from './connections-view';
import { DashboardView } from './dashboard-view';
import { Dialogs } from './dialogs';
import { Footer } from './footer';
import { Header } from './header';
import { HostKeyPrompts } from './host-key-dialog';
import { InspectorView } from './inspector-view';
import { ImportLayer } from './import-layer';
import { LogPanel } from './log-panel';
import { MappingList } from './mapping-list';
import { RelayView } from './relay-view';
import { ServersView } from './servers-view';
import { SettingsView } from './settings-view';
import { tabId, VIEW_PANEL_ID } from './view-tabs';

function MainPanel({ view }: { view: MainView }) {
  switch (view) {
    case 'connections':
      return <ConnectionsView />;
    case 'inspector':
      return <InspectorView />;
    case 'servers':
      return <ServersView />;
    case 'relay':
      return <RelayView />;
    case 'mappings':
      return <MappingList />;
    case 'dashboard':
      return <DashboardView />;
    case 'settings':
      return <SettingsView />;
  }
}

export function App() {
  const view = useApp((s) => s.ui.view);
  const expired = useApp((s) => s.connection === 'expired');
  if (expired) return <ExpiredPage />;
  return (
    <div className="app">
      <Header />
      <Banners />
      <main className="app-main">
        <div id={VIEW_PANEL_ID} role="tabpanel" aria-labelledby={tabId(view)}>
          <MainPanel view={view} />
        </div>
      </main>
      <LogPanel />
      <Footer />
      <Dialogs />
      <HostKeyPrompts />
      <ImportLayer />
    </div>
  );
}

/** Browser mode after the host refused this page's token: it restarted, and only its new link works. */
function ExpiredPage() {
  const { t } = useTranslation();
  return (
    <main className="full-page" data-testid="link-expired">
      <div className="full-page-card" role="alert">
        <span className="logo" aria-hidden="true" />
        <h1>{t('noToken.expiredTitle')}</h1>
        <p>
          <Trans i18nKey="noToken.expiredOpen" components={{ 1: <code />, 3: <code /> }} />
        </p>
        <p className="muted">{t('noToken.why')}</p>
      </div>
    </main>
  );
}

export function NoTokenPage() {
  const { t } = useTranslation();
  return (
    <main className="full-page" data-testid="no-token">
      <div className="full-page-card">
        <span className="logo" aria-hidden="true" />
        <h1>{t('noToken.title')}</h1>
        <p>
          <Trans i18nKey="noToken.open" components={{ 1: <code />, 3: <code /> }} />
        </p>
        <p className="muted">{t('noToken.why')}</p>
      </div>
    </main>
  );
}
