import i18next, { type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { currentLanguage, languageChoice, setLanguage, subscribeLanguage, type Language, type LanguageChoice } from './language';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

// One i18next instance for the renderer, initialised synchronously with both catalogues bundled (no
// backend, nothing fetched), so the first render already has its strings. The language follows
// language.ts: the Settings choice, or the OS locale for "system". Components use useTranslation();
// plain modules (describe helpers, the message table) use `t` below, which reads the current language
// at call time.
//
// Keys: `area.thing` in camelCase, `area` being a view or a shared group (common, validation, …);
// plurals as `key_one` / `key_other` in English and `key_other` only in Chinese (it has one form);
// variables as {{name}}. English values are the exact text the UI had before, which the e2e tests match.

export const resources = {
  en: { translation: en },
  'zh-CN': { translation: zhCN },
} as const;

const CACHE_KEY = 'porthole.language';

function isChoice(v: unknown): v is LanguageChoice {
  return v === 'system' || v === 'en' || v === 'zh-CN';
}

function startLanguage(): Language {
  if (typeof navigator === 'undefined' || typeof document === 'undefined') return 'en';
  try {
    // The last choice, so a reload does not show the OS language for a moment before settings.get().
    const cached = localStorage.getItem(CACHE_KEY);
    if (isChoice(cached) && cached !== languageChoice()) setLanguage(cached);
  } catch {
    /* storage disabled: settings.get() brings the choice */
  }
  return currentLanguage();
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources,
  lng: startLanguage(),
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  defaultNS: 'translation',
  initAsync: false,
  returnNull: false,
  // React escapes what it renders; escaping here too would show &amp; and &#x2F;.
  interpolation: { escapeValue: false },
  react: { useSuspense: false },
});

if (typeof document !== 'undefined') {
  subscribeLanguage((lang, choice) => {
    try {
      localStorage.setItem(CACHE_KEY, choice);
    } catch {
      /* no storage */
    }
    if (i18n.language !== lang) void i18n.changeLanguage(lang);
  });
}

/** For code outside components; reads the current language when called. */
export const t: TFunction = i18n.t.bind(i18n) as TFunction;

export function language(): Language {
  return i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
}
