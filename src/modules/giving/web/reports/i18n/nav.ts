import type { i18n as I18n } from 'i18next';

const GIVING_REPORTS_NS = 'giving-reports';

/**
 * Loaded with the shell: the navigation label only (the same words as `nav` in en.json and ko.json); the
 * page adds the whole bundle when it loads (register.ts), so the shell does not carry it.
 */
const NAV = { en: 'Giving reports', ko: '후원 보고서' } as const;

export function registerGivingReportsNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV))
    i18n.addResourceBundle(lng, GIVING_REPORTS_NS, { nav }, true, false);
}
