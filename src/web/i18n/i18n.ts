import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { NavLabel } from '../module-kit';
import en from './en.json';
import ko from './ko.json';

/** Each language names itself, so these two words are never translated. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ko', name: '한국어' },
] as const;

export type LanguageCode = (typeof LANGUAGES)[number]['code'];

/** Only the language code is kept in the browser, never anything about a person. */
export const LANGUAGE_STORAGE_KEY = 'passage.language';

function isLanguage(value: unknown): value is LanguageCode {
  return LANGUAGES.some((l) => l.code === value);
}

function storedLanguage(): LanguageCode | null {
  try {
    const value = localStorage.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

function browserLanguage(): LanguageCode {
  const preferred = typeof navigator === 'undefined' ? [] : navigator.languages;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/**
 * Starts i18next with the shell's strings and the modules' navigation labels (their manifests' `navLabels`);
 * each page namespace adds its whole bundle when its pages load (define-namespace.ts).
 */
export function initI18n(navLabels: readonly NavLabel[] = []) {
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng: storedLanguage() ?? browserLanguage(),
    fallbackLng: 'en',
    supportedLngs: LANGUAGES.map((l) => l.code),
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  for (const { ns, en: enNav, ko: koNav } of navLabels) {
    i18next.addResourceBundle('en', ns, { nav: enNav }, true, false);
    i18next.addResourceBundle('ko', ns, { nav: koNav }, true, false);
  }
  document.documentElement.lang = i18next.language;
  return i18next;
}

export async function changeLanguage(code: LanguageCode): Promise<void> {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, code);
  } catch {
    // Private windows may refuse storage; the choice still holds for this visit.
  }
  await i18next.changeLanguage(code);
}

export function currentLanguage(): LanguageCode {
  return isLanguage(i18next.language) ? i18next.language : 'en';
}
