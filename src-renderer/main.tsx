import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ActionsProvider } from './api/api-context';
import { getApi } from './api/get-api';
import { createActions } from './store/actions';
import { appStore } from './store/app-store';
import { initBridge } from './store/bridge';
import { App, NoTokenPage } from './views/app';
import './styles.css';
import './relay.css';

const rootEl = document.getElementById('root');
if (!rootEl) throw new Error('index.html has no #root element');
const root = createRoot(rootEl);
const setup = getApi();

if (setup.kind === 'no-token') {
  root.render(<NoTokenPage />);
} else {
  // The bridge lives outside React: StrictMode double effects must not subscribe twice.
  const dispose = initBridge(setup.api, appStore, setup.kind === 'browser' ? setup.connection : undefined);
  window.addEventListener('pagehide', () => {
    dispose();
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
