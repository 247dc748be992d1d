import { type ComponentType, createElement, type LazyExoticComponent, lazy, type ReactNode } from 'react';
import { ACCOUNT_GUARDS, AUDIT_READERS, STAFF_ROLES } from './roles';

/**
 * A page of the staff console. Modules append entries here; the console builds its navigation and
 * routes from this list and shows an entry only to the roles it names (every signed-in account when
 * `roles` is absent). The server still decides what each request may see.
 */
export interface ConsoleModule {
  id: string;
  /** i18n key of the navigation label (and usually the page title). */
  labelKey: string;
  /** Path under /console, without a leading slash. Nested routes are the page's own business. */
  path: string;
  element: ReactNode;
  roles?: readonly string[];
}

/** A page of the public site (no sign-in). `labelKey` puts it in the public header's navigation. */
export interface PublicPage {
  id: string;
  path: string;
  element: ReactNode;
  labelKey?: string;
}

/** Pages are code-split: each one loads when first opened, so the public site stays small. */
export function lazyPage<T extends Record<string, unknown>>(
  load: () => Promise<T>,
  name: keyof T & string,
): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

const OutboxPage = lazyPage(() => import('./outbox/outbox-page'), 'OutboxPage');
const PeoplePage = lazyPage(() => import('./admin/people-page'), 'PeoplePage');
const AuditPage = lazyPage(() => import('./audit/audit-page'), 'AuditPage');
const SecurityPage = lazyPage(() => import('./security/security-page'), 'SecurityPage');
const InvitePage = lazyPage(() => import('./public/invite-page'), 'InvitePage');
const SupporterSignInPage = lazyPage(() => import('./public/supporter-sign-in-page'), 'SupporterSignInPage');
const RescuesPage = lazyPage(() => import('../modules/rescues/web/rescues-page'), 'RescuesPage');
// The field partner's page stays outside the console shell: a phone on a bad connection loads only it.
const FieldPage = lazyPage(() => import('../modules/rescues/web/field/field-page'), 'FieldPage');

export const consoleModules: ConsoleModule[] = [
  {
    id: 'people',
    labelKey: 'people.nav',
    path: 'people',
    element: createElement(PeoplePage),
    roles: ACCOUNT_GUARDS,
  },
  {
    id: 'audit',
    labelKey: 'audit.nav',
    path: 'audit',
    element: createElement(AuditPage),
    roles: AUDIT_READERS,
  },
  {
    id: 'outbox',
    labelKey: 'outbox.nav',
    path: 'outbox',
    element: createElement(OutboxPage),
    roles: ['administrator'],
  },
  {
    id: 'rescues',
    labelKey: 'rescues:nav',
    path: 'rescues',
    element: createElement(RescuesPage),
    roles: ['rescue_coordinator', 'security_lead'],
  },
  {
    id: 'security',
    labelKey: 'security.nav',
    path: 'security',
    element: createElement(SecurityPage),
    roles: STAFF_ROLES,
  },
];

export const publicPages: PublicPage[] = [
  { id: 'invite', path: 'invite', element: createElement(InvitePage) },
  { id: 'supporter-sign-in', path: 'supporters/sign-in', element: createElement(SupporterSignInPage) },
  { id: 'field', path: 'field', element: createElement(FieldPage) },
];

export function visibleModules(role: string | undefined): ConsoleModule[] {
  return consoleModules.filter((m) => !m.roles || (role !== undefined && m.roles.includes(role)));
}
