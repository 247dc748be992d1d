import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { PLEDGES_NS } from './namespace';

export { PLEDGES_NS };

/** The pledges pages' own strings, under the `pledges` namespace. */
export function registerPledgesTranslations(i18n: I18n): void {
  if (i18n.getResource('en', PLEDGES_NS, 'title')) return;
  i18n.addResourceBundle('en', PLEDGES_NS, en, true, true);
  i18n.addResourceBundle('ko', PLEDGES_NS, ko, true, true);
}
