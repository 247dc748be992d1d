import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { GIVING_IMPORT_NS } from './namespace';

export { GIVING_IMPORT_NS };

/** The giving import page's own strings, under the `giving-import` namespace. */
export function registerGivingImportTranslations(i18n: I18n): void {
  if (i18n.getResource('en', GIVING_IMPORT_NS, 'title')) return;
  i18n.addResourceBundle('en', GIVING_IMPORT_NS, en, true, true);
  i18n.addResourceBundle('ko', GIVING_IMPORT_NS, ko, true, true);
}
