import { type ConsoleModule, lazyElement, type PublicPage, type WebModule } from './module-kit';
import { ACCOUNT_GUARDS, AUDIT_READERS, STAFF_ROLES } from './roles';

export type { ConsoleModule, PublicPage, WebModule } from './module-kit';
export { lazyPage } from './module-kit';

/** The shell's own pages: administration, audit, outbox, account security, invitation, supporter sign-in. */
const shell: WebModule = {
  id: 'shell',
  consolePages: [
    {
      id: 'people',
      labelKey: 'people.nav',
      path: 'people',
      element: lazyElement(() => import('./admin/people-page'), 'PeoplePage'),
      roles: ACCOUNT_GUARDS,
      order: 10,
    },
    {
      id: 'audit',
      labelKey: 'audit.nav',
      path: 'audit',
      element: lazyElement(() => import('./audit/audit-page'), 'AuditPage'),
      roles: AUDIT_READERS,
      order: 20,
    },
    {
      id: 'outbox',
      labelKey: 'outbox.nav',
      path: 'outbox',
      element: lazyElement(() => import('./outbox/outbox-page'), 'OutboxPage'),
      roles: ['administrator'],
      order: 30,
    },
    {
      id: 'security',
      labelKey: 'security.nav',
      path: 'security',
      element: lazyElement(() => import('./security/security-page'), 'SecurityPage'),
      roles: STAFF_ROLES,
      order: 100,
    },
  ],
  publicPages: [
    {
      id: 'invite',
      path: 'invite',
      element: lazyElement(() => import('./public/invite-page'), 'InvitePage'),
      order: 10,
    },
    {
      id: 'supporter-sign-in',
      path: 'supporters/sign-in',
      element: lazyElement(() => import('./public/supporter-sign-in-page'), 'SupporterSignInPage'),
      order: 20,
    },
  ],
};

/**
 * Each module declares its pages in its own manifest, `src/modules/<module>/web/<module>.web.ts`, found
 * here at build time. Only the manifests are imported with the shell; their pages stay lazy chunks.
 */
const manifests = import.meta.glob<WebModule>('../modules/*/web/*.web.ts', {
  eager: true,
  import: 'webModule',
});

export const webModules: readonly WebModule[] = [shell, ...Object.values(manifests)];

const byOrder = (a: { order: number }, b: { order: number }) => a.order - b.order;

export const consoleModules: ConsoleModule[] = webModules.flatMap((m) => m.consolePages ?? []).sort(byOrder);

export const publicPages: PublicPage[] = webModules.flatMap((m) => m.publicPages ?? []).sort(byOrder);

export function visibleModules(role: string | undefined): ConsoleModule[] {
  return consoleModules.filter((m) => !m.roles || (role !== undefined && m.roles.includes(role)));
}
