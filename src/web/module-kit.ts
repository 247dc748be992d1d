import { type ComponentType, createElement, type LazyExoticComponent, lazy, type ReactNode } from 'react';

/*
 * What a module's web manifest (`src/modules/<module>/web/<module>.web.ts`) declares, and the helpers it
 * declares it with. The shell finds every manifest itself (modules.ts); nothing in src/web names a module.
 */

/**
 * A page of the staff console. The console builds its navigation and routes from these and shows an entry
 * only to the roles it names (every signed-in account when `roles` is absent). The server still decides
 * what each request may see.
 */
export interface ConsoleModule {
  id: string;
  /** i18n key of the navigation label (and usually the page title): `people.nav`, `giving:nav`. */
  labelKey: string;
  /** Path under /console, without a leading slash. Nested routes are the page's own business. */
  path: string;
  element: ReactNode;
  roles?: readonly string[];
  /** The page routes paths below its own (`<path>/*`), such as /console/giving/gifts/:id. */
  nested?: boolean;
  /** Place in the console's navigation, smallest first (the shell's pages hold 10, 20, 30 and 100). */
  order: number;
}

/** A page of the public site (no sign-in). `labelKey` puts it in the public header's navigation. */
export interface PublicPage {
  id: string;
  path: string;
  element: ReactNode;
  labelKey?: string;
  /** Place among the public pages, smallest first. */
  order: number;
}

/**
 * A page namespace's navigation label, loaded with the shell so the navigation can be drawn before the
 * pages (and their strings) load: the same words as `nav` in the namespace's en.json and ko.json.
 */
export interface NavLabel {
  ns: string;
  en: string;
  ko: string;
}

/** Everything a module adds to the web interface. */
export interface WebModule {
  /** The module's folder name (`giving`), or `shell`. */
  id: string;
  consolePages?: readonly ConsoleModule[];
  publicPages?: readonly PublicPage[];
  navLabels?: readonly NavLabel[];
}

/** Names the manifest's type; a manifest exports it as `webModule`. */
export function defineWebModule(module: WebModule): WebModule {
  return module;
}

/** Pages are code-split: each one loads when first opened, so the public site stays small. */
export function lazyPage<T extends Record<string, unknown>>(
  load: () => Promise<T>,
  name: keyof T & string,
): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

/** A lazy page as the element of a route: `lazyElement(() => import('./rescues-page'), 'RescuesPage')`. */
export function lazyElement<T extends Record<string, unknown>>(
  load: () => Promise<T>,
  name: keyof T & string,
): ReactNode {
  return createElement(lazyPage(load, name));
}
