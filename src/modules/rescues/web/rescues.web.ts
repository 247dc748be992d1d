import { defineWebModule, lazyElement } from '../../../web/module-kit';

/** What the rescues module adds to the web interface (found by src/web/modules.ts). */
export const webModule = defineWebModule({
  id: 'rescues',
  consolePages: [
    {
      id: 'rescues',
      labelKey: 'rescues:nav',
      path: 'rescues',
      element: lazyElement(() => import('./rescues-page'), 'RescuesPage'),
      roles: ['rescue_coordinator', 'security_lead'],
      order: 40,
    },
  ],
  publicPages: [
    // The field partner's page stays outside the console shell: a phone on a bad connection loads only it.
    {
      id: 'field',
      path: 'field',
      element: lazyElement(() => import('./field/field-page'), 'FieldPage'),
      order: 30,
    },
  ],
  // Importing the namespace's JSON here would pull all of its strings into the shell's chunk.
  navLabels: [{ ns: 'rescues', en: 'Rescues', ko: '구출' }],
});
