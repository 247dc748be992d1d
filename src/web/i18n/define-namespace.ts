import i18next, { type i18n as I18n } from 'i18next';
import { useTranslation } from 'react-i18next';

/** A translation file's tree: texts by key, nested. */
export type Bundle = { [key: string]: string | Bundle };

export interface Namespace<N extends string> {
  /** The i18next namespace (`giving`); keys outside the pages are written `giving:nav`. */
  readonly ns: N;
  /**
   * Adds the English and Korean texts to i18next, once. A page calls it when its chunk loads, so the
   * strings travel with the pages and the shell carries only the navigation label (the module's
   * `<module>.web.ts`).
   */
  register(i18n?: I18n): void;
  /** `const { t } = useT()`: the namespace's texts in the reader's language. */
  useT(): ReturnType<typeof useTranslation<N>>;
}

/** One page namespace: its name and its two bundles (`en.json`, `ko.json` beside the caller). */
export function defineNamespace<N extends string>(ns: N, bundles: { en: Bundle; ko: Bundle }): Namespace<N> {
  const registered = new WeakSet<I18n>();
  return {
    ns,
    register(i18n = i18next) {
      if (registered.has(i18n)) return;
      registered.add(i18n);
      i18n.addResourceBundle('en', ns, bundles.en, true, true);
      i18n.addResourceBundle('ko', ns, bundles.ko, true, true);
    },
    useT: () => useTranslation(ns),
  };
}
