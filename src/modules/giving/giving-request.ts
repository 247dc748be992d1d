import type { FastifyRequest } from 'fastify';
import { requireStaff } from '../../platform/access/actor';
import { subjectOf } from '../../platform/access/policy';
import type { AppContext } from '../../platform/http/context';
import type { GivingContext } from './giving.context';

/**
 * How a staff route of giving runs its work: as the signed-in staff member (401/403 otherwise), in one
 * transaction, with the mail outbox. The services check the caller's permission themselves.
 */
export function staffGivingWork(ctx: AppContext) {
  return async <T>(request: FastifyRequest, work: (gc: GivingContext) => Promise<T>): Promise<T> => {
    const actor = await requireStaff(ctx.access, request);
    const subject = subjectOf(actor, []);
    return ctx.database.db.transaction((tx) =>
      work({ db: tx, subject, requestId: request.id, mail: ctx.mail }),
    );
  };
}
