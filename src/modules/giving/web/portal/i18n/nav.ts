import type { i18n as I18n } from 'i18next';

const PORTAL_NS = 'portal';

/**
 * Loaded with the shell: the public header's link to the portal only (the same words as `nav` in en.json
 * and ko.json), so the public site does not carry the portal's strings until it is opened.
 */
const NAV = { en: 'My giving', ko: '나의 후원' } as const;

export function registerPortalNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV)) i18n.addResourceBundle(lng, PORTAL_NS, { nav }, true, false);
}
