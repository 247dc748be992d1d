import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { PORTAL_NS } from './namespace';

export { PORTAL_NS };

/** The donor portal's strings, under the `portal` namespace, added when the page loads. */
export function registerPortalTranslations(i18n: I18n): void {
  if (i18n.getResource('en', PORTAL_NS, 'title')) return;
  i18n.addResourceBundle('en', PORTAL_NS, en, true, true);
  i18n.addResourceBundle('ko', PORTAL_NS, ko, true, true);
}
