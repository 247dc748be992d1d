import type { i18n as I18n } from 'i18next';

const PLEDGES_NS = 'pledges';

/**
 * Loaded with the shell: the navigation label only (the same words as `nav` in en.json and ko.json); the
 * pages add the whole bundle when they load (register.ts), so the shell does not carry it.
 */
const NAV = { en: 'Pledges', ko: '후원 약정' } as const;

export function registerPledgesNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV)) i18n.addResourceBundle(lng, PLEDGES_NS, { nav }, true, false);
}
