import type { AppSettings } from '../../src-shared/model/settings';

// The theme setting drives one attribute: <html data-theme="light|dark">, always the *effective* scheme.
// styles.css keeps the light palette on :root and the dark one on :root[data-theme='dark'], so "system"
// is resolved here (and followed live through matchMedia) rather than by a second copy of the palette
// inside a prefers-color-scheme query. The last choice is cached locally so the first frame after a
// reload already has the right colours, before settings.get() answers.

export type ThemeChoice = AppSettings['theme'];
export type Scheme = 'light' | 'dark';

const QUERY = '(prefers-color-scheme: dark)';
const CACHE_KEY = 'porthole.theme';

export function resolveScheme(choice: ThemeChoice, systemDark: boolean): Scheme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}

function isChoice(v: unknown): v is ThemeChoice {
  return v === 'system' || v === 'light' || v === 'dark';
}

let choice: ThemeChoice = 'system';
let media: MediaQueryList | null = null;

function systemDark(): boolean {
  return media?.matches ?? window.matchMedia(QUERY).matches;
}

function render(): void {
  const scheme = resolveScheme(choice, systemDark());
  if (document.documentElement.dataset.theme !== scheme) document.documentElement.dataset.theme = scheme;
}

/** Applies a theme choice at once and remembers it for the next start of this window. */
export function applyTheme(next: ThemeChoice): void {
  choice = next;
  render();
  try {
    localStorage.setItem(CACHE_KEY, next);
  } catch {
    // Storage disabled (private mode, sandbox): the host's settings still bring it back.
  }
}

export function themeChoice(): ThemeChoice {
  return choice;
}

/** Once, before the first render: the cached choice, and from then on the OS preference for "system". */
export function initTheme(): void {
  try {
    const cached = localStorage.getItem(CACHE_KEY);
    if (isChoice(cached)) choice = cached;
  } catch {
    /* no storage: start from "system" */
  }
  media = window.matchMedia(QUERY);
  media.addEventListener('change', () => {
    if (choice === 'system') render();
  });
  render();
}
