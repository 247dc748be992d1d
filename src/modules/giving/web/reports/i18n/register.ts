import type { i18n as I18n } from 'i18next';
import en from './en.json';
import ko from './ko.json';
import { GIVING_REPORTS_NS } from './namespace';

export { GIVING_REPORTS_NS };

/** The giving reports page's own strings, under the `giving-reports` namespace. */
export function registerGivingReportsTranslations(i18n: I18n): void {
  if (i18n.getResource('en', GIVING_REPORTS_NS, 'title')) return;
  i18n.addResourceBundle('en', GIVING_REPORTS_NS, en, true, true);
  i18n.addResourceBundle('ko', GIVING_REPORTS_NS, ko, true, true);
}
