import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../platform/http/context';

/**
 * The capability modules mounted into the server. Each module adds its route plugin here when it lands;
 * its web pages register into the shell through `src/web/modules.ts`.
 */
export function moduleRoutes(_ctx: AppContext): FastifyPluginAsync[] {
  return [];
}
