import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { SUPPORTERS_NS } from './namespace';

export { SUPPORTERS_NS };

/** The supporters pages' own strings, under the `supporters` namespace. */
export function registerSupportersTranslations(i18n: I18n): void {
  if (i18n.getResource('en', SUPPORTERS_NS, 'title')) return;
  i18n.addResourceBundle('en', SUPPORTERS_NS, en, true, true);
  i18n.addResourceBundle('ko', SUPPORTERS_NS, ko, true, true);
}
