import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { RESCUES_NS } from './namespace';

export { RESCUES_NS };

/** The rescues module's own strings, under the `rescues` namespace (the shell's files stay the shell's). */
export function registerRescuesTranslations(i18n: I18n): void {
  if (i18n.getResource('en', RESCUES_NS, 'title')) return;
  i18n.addResourceBundle('en', RESCUES_NS, en, true, true);
  i18n.addResourceBundle('ko', RESCUES_NS, ko, true, true);
}
