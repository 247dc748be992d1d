import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../platform/access/policy';
import { csvExportRateLimit, ListFormat } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import { staffWork } from '../../platform/http/request-work';
import { answerRecurringCsv } from './console/giving-export';
import { providersFor } from './donations/payment-provider';
import { GIVING_ACTIONS } from './giving.policy';
import { MonthlyGift, MonthlyGiftList } from './giving.responses';
import { Id, MONTHLY_ACTIONS, RECURRING_STATUSES } from './giving.schema';
import {
  changeRecurringGiftAsStaff,
  listRecurringGifts,
  type StaffRecurringContext,
} from './recurring/recurring.service';

const tags = ['giving'];
const idParams = z.object({ id: Id });

/**
 * Staff and monthly gifts: read them (`gift.read`: development, administrators) and pause or cancel one
 * (`gift.record`: development, audited), for instance when a donor asks by phone. Resuming is the donor's
 * own decision, from the portal.
 */
export const recurringRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const staff = staffWork(ctx);
    /** Staff work (the platform's pipeline) with the payment providers a pause or cancel tells. */
    const run = <T>(request: FastifyRequest, work: (rc: StaffRecurringContext) => Promise<T>): Promise<T> =>
      staff(request, (w) => work({ ...w, providers: providersFor(ctx) }));

    app.get(
      '/api/giving/recurring',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary:
            'Monthly gifts, newest first (with format=csv: every one the filters match, as a CSV file, audited)',
          querystring: z.object({
            supporterId: Id.optional(),
            status: z
              .enum(RECURRING_STATUSES, { error: `must be one of ${RECURRING_STATUSES.join(', ')}` })
              .optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            format: ListFormat,
          }),
          response: { 200: MonthlyGiftList },
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerRecurringCsv(ctx, request, reply, request.query)
          : run(request, async (rc) => {
              const { recurringGifts } = await listRecurringGifts(rc, {
                limit: request.query.limit,
                supporterId: request.query.supporterId,
                status: request.query.status,
              });
              // `can` already folds in the caller's permission (gift.record) and the gift's state.
              return {
                recurringGifts: recurringGifts.map((g) => ({
                  ...g,
                  allowedActions: MONTHLY_ACTIONS.filter((action) => g.can[action]),
                })),
                allowedActions: authorize(rc.subject, GIVING_ACTIONS.record).allowed
                  ? [...MONTHLY_ACTIONS]
                  : [],
              };
            }),
    );

    for (const change of ['pause', 'cancel'] as const) {
      app.post(
        `/api/giving/recurring/:id/${change}`,
        {
          schema: {
            tags,
            summary: `${change === 'pause' ? 'Pause' : 'Cancel'} a monthly gift (audited; again: no change)`,
            params: idParams,
            response: { 200: MonthlyGift },
          },
        },
        async (request) =>
          run(request, async (rc) => {
            const changed = await changeRecurringGiftAsStaff(rc, request.params.id, change);
            if (!changed) throw new Error('a changed monthly gift was not presented');
            return changed;
          }),
      );
    }
  };
