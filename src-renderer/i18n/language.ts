import type { AppSettings } from '../../src-shared/model/settings';

// The language setting. For now this only remembers the choice and sets <html lang> (screen readers,
// fonts, hyphenation); the string catalogues are wired in later through subscribeLanguage().

export type LanguageChoice = AppSettings['language'];
export type Language = Exclude<LanguageChoice, 'system'>;

/** "system" follows the OS locale the same way the host does: Simplified Chinese for zh*, else English. */
export function resolveLanguage(choice: LanguageChoice, systemLocales: readonly string[]): Language {
  if (choice !== 'system') return choice;
  return systemLocales[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let current: LanguageChoice = 'system';
const listeners = new Set<(lang: Language, choice: LanguageChoice) => void>();

function systemLocales(): readonly string[] {
  return navigator.languages.length > 0 ? navigator.languages : [navigator.language];
}

export function setLanguage(lang: LanguageChoice): void {
  current = lang;
  const resolved = resolveLanguage(lang, systemLocales());
  if (document.documentElement.lang !== resolved) document.documentElement.lang = resolved;
  for (const l of [...listeners]) l(resolved, lang);
}

export function languageChoice(): LanguageChoice {
  return current;
}

export function currentLanguage(): Language {
  return resolveLanguage(current, systemLocales());
}

export function subscribeLanguage(listener: (lang: Language, choice: LanguageChoice) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
