import { i18n } from '../i18n/i18n';
import { shownLogLine } from '../i18n/log-lines';
import type { AppStore } from './app-store';

/**
 * Shows the log's lines in the UI language (issue 18): the ring translates each line with a code as it
 * arrives, and all kept lines again when the language changes. The log filter is then made anew (same
 * settings), so a search runs over the words now shown. Returns a disposer.
 */
export function initLogLanguage(store: AppStore): () => void {
  store.getState().logs.ring.setTranslator(shownLogLine);
  const onLanguage = () => {
    const s = store.getState();
    s.logs.ring.setTranslator(shownLogLine);
    store.setState({ logs: { ...s.logs, version: s.logs.version + 1 }, ui: { ...s.ui, logFilter: { ...s.ui.logFilter } } });
  };
  i18n.on('languageChanged', onLanguage);
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.logs.ring !== prev.logs.ring) s.logs.ring.setTranslator(shownLogLine);
  });
  return () => {
    i18n.off('languageChanged', onLanguage);
    unsubscribe();
  };
}
