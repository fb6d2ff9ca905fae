import { useSyncExternalStore } from 'react';

const QUERY = '(prefers-color-scheme: dark)';

// The effective scheme is <html data-theme> (lib/theme.ts sets it from the theme setting, resolving
// "system" through the media query); the media query alone is the fallback before that runs.

function subscribe(cb: () => void): () => void {
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', cb);
  const observer = new MutationObserver(cb);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => {
    mq.removeEventListener('change', cb);
    observer.disconnect();
  };
}

function snapshot(): 'dark' | 'light' {
  const theme = document.documentElement.dataset.theme;
  if (theme === 'dark' || theme === 'light') return theme;
  return window.matchMedia(QUERY).matches ? 'dark' : 'light';
}

/** 'dark' or 'light' as shown (canvas charts read their colours from CSS once per scheme). */
export function useColorScheme(): 'dark' | 'light' {
  return useSyncExternalStore(subscribe, snapshot, () => 'light');
}
