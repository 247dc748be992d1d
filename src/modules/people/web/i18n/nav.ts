import type { i18n as I18n } from 'i18next';

const SUPPORTERS_NS = 'supporters';

/**
 * Loaded with the shell: the navigation label only (the same words as `nav` in en.json and ko.json), so
 * the public site does not carry the pages' strings. The pages add the whole bundle when they load.
 */
const NAV = { en: 'Supporters', ko: '후원자' } as const;

export function registerSupportersNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV))
    i18n.addResourceBundle(lng, SUPPORTERS_NS, { nav }, true, false);
}
