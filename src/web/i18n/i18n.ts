import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { registerGivingNav } from '../../modules/giving/web/console/i18n/nav';
import { registerGivingImportNav } from '../../modules/giving/web/import/i18n/nav';
import { registerPledgesNav } from '../../modules/giving/web/pledges/i18n/nav';
import { registerPortalNav } from '../../modules/giving/web/portal/i18n/nav';
import { registerGivingReportsNav } from '../../modules/giving/web/reports/i18n/nav';
import { registerSupportersNav } from '../../modules/people/web/i18n/nav';
import { registerRescuesNav } from '../../modules/rescues/web/i18n/nav';
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

export function initI18n() {
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
  registerRescuesNav(i18next);
  registerPledgesNav(i18next);
  registerPortalNav(i18next);
  registerGivingNav(i18next);
  registerGivingReportsNav(i18next);
  registerGivingImportNav(i18next);
  registerSupportersNav(i18next);
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
