import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { GIVING_NS } from './namespace';

export { GIVING_NS };

/** The giving pages' own strings, under the `giving` namespace (the shell's files stay the shell's). */
export function registerGivingTranslations(i18n: I18n): void {
  if (i18n.getResource('en', GIVING_NS, 'title')) return;
  i18n.addResourceBundle('en', GIVING_NS, en, true, true);
  i18n.addResourceBundle('ko', GIVING_NS, ko, true, true);
}
