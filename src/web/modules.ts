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
  /** The page routes paths below its own (`<path>/*`), such as /console/giving/gifts/:id. */
  nested?: boolean;
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
const PledgesPage = lazyPage(() => import('../modules/giving/web/pledges/pledges-page'), 'PledgesPage');
const GivingPage = lazyPage(() => import('../modules/giving/web/console/giving-page'), 'GivingPage');
const GivingReportsPage = lazyPage(
  () => import('../modules/giving/web/reports/reports-page'),
  'GivingReportsPage',
);
const GivingImportPage = lazyPage(
  () => import('../modules/giving/web/import/import-page'),
  'GivingImportPage',
);
const SupportersPage = lazyPage(() => import('../modules/people/web/supporters-page'), 'SupportersPage');
// The field partner's page stays outside the console shell: a phone on a bad connection loads only it.
const FieldPage = lazyPage(() => import('../modules/rescues/web/field/field-page'), 'FieldPage');
// The donor portal: a signed-in supporter's own gifts, receipts, monthly gift and preferences.
const PortalPage = lazyPage(() => import('../modules/giving/web/portal/portal-page'), 'PortalPage');

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
    // Administrators read giving; only the development team writes (giving.policy.ts).
    id: 'giving',
    labelKey: 'giving:nav',
    path: 'giving',
    element: createElement(GivingPage),
    roles: ['development', 'administrator'],
    nested: true,
  },
  {
    // Aggregates for auditors too; the tabs that name donors only for development and administrators.
    id: 'giving-reports',
    labelKey: 'giving-reports:nav',
    path: 'giving-reports',
    element: createElement(GivingReportsPage),
    roles: ['development', 'administrator', 'auditor'],
  },
  {
    // CSV import of contacts and gifts: the development team imports, administrators read the runs.
    id: 'giving-import',
    labelKey: 'giving-import:nav',
    path: 'giving-import',
    element: createElement(GivingImportPage),
    roles: ['development', 'administrator'],
  },
  {
    // Supporters (people.policy.ts): the development team works with them; administrators read.
    id: 'supporters',
    labelKey: 'supporters:nav',
    path: 'supporters',
    element: createElement(SupportersPage),
    roles: ['development', 'administrator'],
    nested: true,
  },
  {
    // Sponsor and matching pledges: administrators read, the development team writes (pledge.policy.ts).
    id: 'pledges',
    labelKey: 'pledges:nav',
    path: 'pledges',
    element: createElement(PledgesPage),
    roles: ['development', 'administrator'],
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
  { id: 'portal', path: 'my', element: createElement(PortalPage) },
];

export function visibleModules(role: string | undefined): ConsoleModule[] {
  return consoleModules.filter((m) => !m.roles || (role !== undefined && m.roles.includes(role)));
}
