import type { PassageModule } from '../platform/module';
import { givingModule } from './giving';
import { peopleModule } from './people';
import { rescuesModule } from './rescues';

/**
 * Every capability module, in dependency order: the one place a module is registered. The server mounts their
 * routes, jobs and standalone pages from this list, `passage` adds their commands and demo data; the web shell
 * finds each module's pages in its `web/<name>.web.ts`.
 */
export const modules: readonly PassageModule[] = [rescuesModule, peopleModule, givingModule];
