import type { i18n as I18n } from 'i18next';

const RESCUES_NS = 'rescues';

/**
 * Loaded with the shell: the navigation label only (the same words as `nav` in en.json and ko.json), so
 * the public site does not carry the module's ~9 KB of strings. The pages add the whole bundle when
 * they load (register.ts). Importing the JSON here would pull all of it into the shell's chunk.
 */
const NAV = { en: 'Rescues', ko: '구출' } as const;

export function registerRescuesNav(i18n: I18n): void {
  for (const [lng, nav] of Object.entries(NAV)) i18n.addResourceBundle(lng, RESCUES_NS, { nav }, true, false);
}
