import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUPPORTER_ROLE } from '../../platform/access/roles';
import { type Actor, requireActor } from '../../platform/auth/actor';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import type { AppContext } from '../../platform/http/context';
import { CONSENT_CHANNELS } from '../people';
import { providersFor } from './donations/payment-provider';
import {
  myGifts,
  myPreferences,
  noDonorRecord,
  type PortalDonor,
  portalDonor,
  setMyPreference,
} from './donors/portal.service';
import { MonthlyGift } from './giving.responses';
import { AmountMinor, Id } from './giving.schema';
import { MyGifts, MyMonthlyGifts, MyPreferences, PortalMe } from './portal.responses';
import { receiptPdfForSupporter } from './receipts/receipt.service';
import {
  changeMyRecurringAmount,
  changeMyRecurringGift,
  myRecurringGifts,
  type RecurringChange,
} from './recurring/recurring.service';

const tags = ['giving: donor portal'];

/** A changed monthly gift as presented (the service always presents the one it changed). */
function presented<T>(view: T | undefined): T {
  if (view === undefined) throw new Error('a changed monthly gift was not presented');
  return view;
}
const idParams = z.object({ id: Id });

export const PreferenceInput = z.object({
  channel: z.enum(CONSENT_CHANNELS, { error: `must be one of ${CONSENT_CHANNELS.join(', ')}` }),
  granted: z.boolean({ error: 'must be true (yes, write to me) or false (no)' }),
});
export const RecurringAmountInput = z.object({ amountMinor: AmountMinor });

/**
 * The donor portal (`/my` in the browser): a signed-in supporter's own gifts, receipts, monthly gifts and
 * communication preferences. Supporter accounts only: staff, who may read donors in the console, get 403
 * here, so no one reads a donor's portal but the donor.
 */
export const portalRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;

    async function supporterOf(request: FastifyRequest): Promise<Actor> {
      const actor = await requireActor(ctx.access, request);
      if (actor.role !== SUPPORTER_ROLE)
        throw AppError.forbidden('The donor portal is for supporters signed in with their email link.');
      return actor;
    }
    /** Runs with the caller's supporter record (null when there is none yet), in one transaction. */
    const withDonor = async <T>(
      request: FastifyRequest,
      work: (tx: Db, donor: PortalDonor | null, actor: Actor) => Promise<T>,
    ): Promise<T> => {
      const actor = await supporterOf(request);
      return db.transaction(async (tx) => work(tx, await portalDonor(tx, actor), actor));
    };
    const who = (actor: Actor, request: FastifyRequest) => ({
      userId: actor.userId,
      role: actor.role,
      by: 'donor' as const,
      requestId: request.id,
    });
    const writeLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };

    app.get(
      '/api/giving/me',
      {
        schema: {
          tags,
          summary: 'Who the portal knows me as (null until I have given)',
          response: { 200: PortalMe },
        },
      },
      async (request) =>
        withDonor(request, async (_tx, donor, actor) => ({
          email: actor.email,
          donor: donor ? { displayName: donor.displayName } : null,
        })),
    );

    app.get(
      '/api/giving/me/gifts',
      {
        schema: {
          tags,
          summary: 'My gifts that counted (settled or refunded), newest first, with receipts',
          response: { 200: MyGifts },
        },
      },
      async (request) =>
        withDonor(request, async (tx, donor) => ({
          gifts: donor ? await myGifts(tx, donor.supporterId) : [],
        })),
    );

    app.get(
      '/api/giving/me/gifts/:id/receipt.pdf',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'The receipt of one of my gifts, as a PDF (someone else’s: 404)',
          params: idParams,
        },
      },
      async (request, reply) => {
        const { number, pdf } = await withDonor(request, async (tx, donor) => {
          if (!donor) throw AppError.notFound('No receipt for this gift.');
          return receiptPdfForSupporter(tx, donor.supporterId, request.params.id);
        });
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${number}.pdf"`)
          .send(pdf);
      },
    );

    app.get(
      '/api/giving/me/monthly',
      {
        schema: {
          tags,
          summary: 'My monthly gifts, with what I may do with each',
          response: { 200: MyMonthlyGifts },
        },
      },
      async (request) =>
        withDonor(request, async (tx, donor) => ({
          monthlyGifts: donor ? await myRecurringGifts(tx, donor.supporterId) : [],
        })),
    );

    for (const change of ['pause', 'resume', 'cancel'] as const satisfies readonly RecurringChange[]) {
      app.post(
        `/api/giving/me/monthly/:id/${change}`,
        {
          config: writeLimit,
          schema: {
            tags,
            summary: `${change[0]?.toUpperCase()}${change.slice(1)} my monthly gift (again: no change; not from its state: 409)`,
            params: idParams,
            response: { 200: MonthlyGift },
          },
        },
        async (request) =>
          withDonor(request, async (tx, donor, actor) => {
            if (!donor) throw AppError.notFound('No monthly gift with this id.');
            return presented(
              await changeMyRecurringGift(
                tx,
                providersFor(ctx),
                donor.supporterId,
                request.params.id,
                change,
                who(actor, request),
              ),
            );
          }),
      );
    }

    app.post(
      '/api/giving/me/monthly/:id/amount',
      {
        config: writeLimit,
        schema: {
          tags,
          summary: 'Change the amount of my monthly gift, from the next charge',
          params: idParams,
          body: RecurringAmountInput,
          response: { 200: MonthlyGift },
        },
      },
      async (request) =>
        withDonor(request, async (tx, donor, actor) => {
          if (!donor) throw AppError.notFound('No monthly gift with this id.');
          return presented(
            await changeMyRecurringAmount(
              tx,
              providersFor(ctx),
              donor.supporterId,
              request.params.id,
              request.body.amountMinor,
              who(actor, request),
            ),
          );
        }),
    );

    app.get(
      '/api/giving/me/preferences',
      {
        schema: {
          tags,
          summary: 'My communication preferences: consent per channel (email, post, phone)',
          response: { 200: MyPreferences },
        },
      },
      async (request) =>
        withDonor(request, async (tx, donor) => ({
          recorded: donor !== null,
          preferences: donor ? await myPreferences(tx, donor.supporterId) : null,
        })),
    );

    app.post(
      '/api/giving/me/preferences',
      {
        config: writeLimit,
        schema: {
          tags,
          summary: 'Say yes or no to one channel (a new statement: a withdrawal never deletes the old one)',
          body: PreferenceInput,
          response: { 200: MyPreferences },
        },
      },
      async (request) =>
        withDonor(request, async (tx, donor, actor) => {
          if (!donor) noDonorRecord();
          return {
            recorded: true,
            preferences: await setMyPreference(tx, donor, request.body, {
              userId: actor.userId,
              role: actor.role,
              requestId: request.id,
            }),
          };
        }),
    );
  };
