import type { i18n as I18n } from 'i18next';

const GIVING_NS = 'giving';

/**
 * Loaded with the shell: the navigation label only (the same words as `nav` in en.json and ko.json), so
 * the public site does not carry the pages' strings. The pages add the whole bundle when they load.
 */
const NAV = { en: 'Giving', ko: '후원' } as const;

export function registerGivingNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV)) i18n.addResourceBundle(lng, GIVING_NS, { nav }, true, false);
}
