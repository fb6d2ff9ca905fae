import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ActionsProvider } from './api/api-context';
import { getApi } from './api/get-api';
import './i18n/i18n'; // i18next is ready before the first render, the no-token page included
import { setLanguage } from './i18n/language';
import { initTheme, applyTheme } from './lib/theme';
import { createActions } from './store/actions';
import { appStore } from './store/app-store';
import { initBridge } from './store/bridge';
import { initLogLanguage } from './store/log-language';
import { initSettings } from './store/settings';
import { initTraffic } from './store/traffic';
import { App, NoTokenPage } from './views/app';
import './styles.css';
import './relay.css';

// Before the first render: the cached theme, so a reload does not flash the other palette.
initTheme();

const rootEl = document.getElementById('root');
if (!rootEl) throw new Error('index.html has no #root element');
const root = createRoot(rootEl);
const setup = getApi();

if (setup.kind === 'no-token') {
  root.render(<NoTokenPage />);
} else {
  // The bridge lives outside React: StrictMode double effects must not subscribe twice.
  const dispose = initBridge(setup.api, appStore, setup.kind === 'browser' ? setup.connection : undefined);
  const disposeSettings = initSettings(setup.api, appStore, { theme: applyTheme, language: setLanguage });
  const disposeTraffic = initTraffic(setup.api, appStore);
  const disposeLogLanguage = initLogLanguage(appStore);
  window.addEventListener('pagehide', () => {
    dispose();
    disposeLogLanguage();
    disposeSettings();
    disposeTraffic();
    if (setup.kind === 'browser') setup.dispose();
  });
  root.render(
    <StrictMode>
      <ActionsProvider actions={createActions(setup.api, appStore)}>
        <App />
      </ActionsProvider>
    </StrictMode>,
  );
}
