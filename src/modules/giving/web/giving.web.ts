import { defineWebModule, lazyElement } from '../../../web/module-kit';

/** What the giving module adds to the web interface (found by src/web/modules.ts). */
export const webModule = defineWebModule({
  id: 'giving',
  consolePages: [
    {
      // Administrators read giving; only the development team writes (giving.policy.ts).
      id: 'giving',
      labelKey: 'giving:nav',
      path: 'giving',
      element: lazyElement(() => import('./console/giving-page'), 'GivingPage'),
      roles: ['development', 'administrator'],
      nested: true,
      order: 50,
    },
    {
      // Aggregates for auditors too; the tabs that name donors only for development and administrators.
      id: 'giving-reports',
      labelKey: 'giving-reports:nav',
      path: 'giving-reports',
      element: lazyElement(() => import('./reports/reports-page'), 'GivingReportsPage'),
      roles: ['development', 'administrator', 'auditor'],
      order: 60,
    },
    {
      // CSV import of contacts and gifts: the development team imports, administrators read the runs.
      id: 'giving-import',
      labelKey: 'giving-import:nav',
      path: 'giving-import',
      element: lazyElement(() => import('./import/import-page'), 'GivingImportPage'),
      roles: ['development', 'administrator'],
      order: 70,
    },
    {
      // Sponsor and matching pledges: administrators read, the development team writes (pledge.policy.ts).
      id: 'pledges',
      labelKey: 'pledges:nav',
      path: 'pledges',
      element: lazyElement(() => import('./pledges/pledges-page'), 'PledgesPage'),
      roles: ['development', 'administrator'],
      order: 90,
    },
  ],
  publicPages: [
    // The donor portal: a signed-in supporter's own gifts, receipts, monthly gift and preferences.
    {
      id: 'portal',
      path: 'my',
      element: lazyElement(() => import('./portal/portal-page'), 'PortalPage'),
      order: 40,
    },
  ],
  // The navigation labels only, the same words as `nav` in each namespace's en.json and ko.json: importing
  // the JSON here would pull all of the pages' strings into the shell's chunk.
  navLabels: [
    { ns: 'giving', en: 'Giving', ko: '후원' },
    { ns: 'giving-reports', en: 'Giving reports', ko: '후원 보고서' },
    { ns: 'giving-import', en: 'Import', ko: '가져오기' },
    { ns: 'pledges', en: 'Pledges', ko: '후원 약정' },
    { ns: 'portal', en: 'My giving', ko: '나의 후원' },
  ],
});
