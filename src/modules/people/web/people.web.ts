import { defineWebModule, lazyElement } from '../../../web/module-kit';

/** What the people module adds to the web interface (found by src/web/modules.ts). */
export const webModule = defineWebModule({
  id: 'people',
  consolePages: [
    {
      // Supporters (people.policy.ts): the development team works with them; administrators read.
      id: 'supporters',
      labelKey: 'supporters:nav',
      path: 'supporters',
      element: lazyElement(() => import('./supporters-page'), 'SupportersPage'),
      roles: ['development', 'administrator'],
      nested: true,
      order: 80,
    },
  ],
  // Importing the namespace's JSON here would pull all of its strings into the shell's chunk.
  navLabels: [{ ns: 'supporters', en: 'Supporters', ko: '후원자' }],
});
