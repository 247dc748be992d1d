import type { i18n as I18n } from 'i18next';

const GIVING_IMPORT_NS = 'giving-import';

/**
 * Loaded with the shell: the navigation label only (the same words as `nav` in en.json and ko.json); the
 * page adds the whole bundle when it loads (register.ts), so the shell does not carry it.
 */
const NAV = { en: 'Import', ko: '가져오기' } as const;

export function registerGivingImportNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV))
    i18n.addResourceBundle(lng, GIVING_IMPORT_NS, { nav }, true, false);
}
