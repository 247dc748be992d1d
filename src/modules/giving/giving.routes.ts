import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, type Subject } from '../../platform/access/policy';
import { AppError } from '../../platform/errors';
import { csvExportRateLimit, ListFormat } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import { staffWork } from '../../platform/http/request-work';
import { allocateUnits } from './allocations/allocation.service';
import { addBatchGift, createBatch, getBatch, postBatch } from './batches/batch.service';
import type { DescribedGift } from './console/giving-console.service';
import { answerBatchGiftsCsv, answerGiftsCsv, sendCampaignsCsv, sendFundsCsv } from './console/giving-export';
import { startDonation } from './donations/donation.service';
import { providerOrRefuse, SignatureError } from './donations/payment-provider';
import { receiveWebhook } from './donations/webhook.service';
import { campaignProgress, createCampaign, listCampaigns } from './funds/campaign.service';
import { createFund, listFunds } from './funds/fund.service';
import type { GiftRow as GiftRowType } from './giving.context';
import { GIVING_ACTIONS } from './giving.policy';
import {
  AllocationResult,
  BatchDetail,
  BatchRow,
  CampaignList,
  CampaignProgress,
  CampaignRow,
  DonationStarted,
  FundList,
  FundRow,
  GiftDetail,
  GiftList,
  GiftRow,
  LedgerCheck,
  WebhookOutcome,
} from './giving.responses';
import {
  AllocationInput,
  BatchGiftInput,
  BatchInput,
  CampaignInput,
  CorrectionInput,
  DonationInput,
  FundInput,
  GIFT_STATUSES,
  Id,
  PROVIDERS,
  type ProviderName,
  RefundInput,
} from './giving.schema';
import { correctGiftFund, getGift, listGifts, refundGift } from './ledger/gift.service';
import { runLedgerCheck } from './ledger/ledger.service';
import { receiptPdfForGift } from './receipts/receipt.service';

const tags = ['giving'];
const idParams = z.object({ id: Id });
/** `?format=csv` answers the list as a CSV download (giving-export.ts). */
const formatQuery = z.object({ format: ListFormat });

// What the caller may do with each object, from giving.policy.ts and the object's state (the pages show
// only these buttons; the services check again).
const may = (subject: Subject, action: string) => authorize(subject, action).allowed;

type GiftFacts = { status: string; source: string };
export function giftActions(subject: Subject, gift: GiftFacts) {
  const settled = gift.status === 'settled';
  return [
    ...(settled && gift.source === 'offline' && may(subject, GIVING_ACTIONS.refund)
      ? ['refund' as const]
      : []),
    ...(settled && may(subject, GIVING_ACTIONS.record) ? ['move' as const] : []),
  ];
}
export function withGiftActions<G extends GiftFacts>(subject: Subject, gifts: readonly G[]) {
  return gifts.map((g) => ({ ...g, allowedActions: giftActions(subject, g) }));
}
export function batchActions(subject: Subject, batch: { status: string }) {
  return batch.status === 'open' && may(subject, GIVING_ACTIONS.record)
    ? ['enter' as const, 'post' as const]
    : [];
}
export function createActions(subject: Subject, action: string) {
  return may(subject, action) ? ['create' as const] : [];
}

/** A gift's page: its facts (with the names staff read it by) and what the caller may do with it. */
function presentGiftDetail(subject: Subject, detail: Awaited<ReturnType<typeof getGift>>) {
  const { gift, ...rest } = detail;
  // getGift always describes the gift (names added); the bare row is only its type's fallback.
  if (!isDescribed(gift)) throw new Error('a gift without its names');
  return { gift: { ...gift, allowedActions: giftActions(subject, gift) }, ...rest };
}
function isDescribed(gift: GiftRowType | DescribedGift): gift is DescribedGift {
  return 'supporterName' in gift;
}

function presentBatch(subject: Subject, detail: Awaited<ReturnType<typeof getBatch>>) {
  return {
    batch: detail.batch,
    gifts: withGiftActions(subject, detail.gifts),
    enteredMinor: detail.enteredMinor,
    allowedActions: batchActions(subject, detail.batch),
  };
}

export const givingRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;
    const run = staffWork(ctx);

    // ── public ──
    app.post(
      '/api/giving/donations',
      {
        config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Give once: answers the processor’s checkout address, or the sandbox’s result',
          body: DonationInput,
          response: { 201: DonationStarted },
        },
      },
      async (request, reply) => {
        const provider = providerOrRefuse(ctx, request.body.provider);
        if (provider.name !== 'sandbox' && request.body.testCard)
          throw AppError.invalid('testCard: only the sandbox takes test cards');
        const result = await startDonation(db, ctx.mail, provider, request.body, ctx.config.publicUrl);
        return reply.code(201).send(result);
      },
    );

    app.get(
      '/api/giving/campaigns/:code/progress',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'A campaign’s progress (aggregates only: for the public page and the widget)',
          params: z.object({ code: z.string().regex(/^[a-z0-9-]{2,60}$/, 'is not a campaign code') }),
          response: { 200: CampaignProgress },
        },
      },
      async (request) => campaignProgress(db, request.params.code),
    );

    // The processor signs the exact bytes it sent: this route reads the body as text, verifies, then parses.
    await app.register(async (hooks) => {
      hooks.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: 256 * 1024 },
        (_req, body, done) => done(null, body),
      );
      hooks.post(
        '/api/giving/webhooks/:provider',
        {
          // A processor sends a campaign's rush from a handful of addresses: refusing it would only delay
          // settlements (it retries with back-off). An unsigned flood costs one HMAC per request.
          config: { public: true, rateLimit: { max: 60_000, timeWindow: '1 minute' } },
          schema: {
            tags,
            summary: 'Events from a payment processor (signature verified, each applied once)',
            params: z.object({ provider: z.enum(PROVIDERS, { error: 'is not a payment provider' }) }),
            response: { 200: WebhookOutcome },
          },
        },
        async (request) => {
          // Validated by the params schema above (this child plugin has no Zod type provider for its types).
          const provider = providerOrRefuse(ctx, (request.params as { provider: ProviderName }).provider);
          if (typeof request.body !== 'string')
            throw AppError.invalid('body: must be the processor’s JSON event');
          try {
            return await receiveWebhook(
              db,
              ctx.mail,
              provider,
              request.body,
              request.headers,
              ctx.config.publicUrl,
            );
          } catch (error) {
            if (error instanceof SignatureError) {
              request.log.warn({ provider: provider.name }, 'webhook signature refused');
              throw AppError.invalid('signature: does not verify');
            }
            throw error;
          }
        },
      );
    });

    // ── staff ──
    app.get(
      '/api/giving/funds',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'Funds and their balances (or a CSV file)',
          querystring: formatQuery,
          response: { 200: FundList },
        },
      },
      async (request, reply) => {
        const list = await run(request, async (gc) => ({
          ...(await listFunds(gc)),
          allowedActions: createActions(gc.subject, GIVING_ACTIONS.manage),
        }));
        return request.query.format === 'csv' ? sendFundsCsv(reply, list.funds) : list;
      },
    );
    app.post(
      '/api/giving/funds',
      { schema: { tags, summary: 'Add a fund', body: FundInput, response: { 201: FundRow } } },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => createFund(gc, request.body))),
    );
    app.get(
      '/api/giving/campaigns',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'Campaigns with progress (or a CSV file)',
          querystring: formatQuery,
          response: { 200: CampaignList },
        },
      },
      async (request, reply) => {
        const list = await run(request, async (gc) => ({
          ...(await listCampaigns(gc)),
          allowedActions: createActions(gc.subject, GIVING_ACTIONS.manage),
        }));
        return request.query.format === 'csv' ? sendCampaignsCsv(reply, list.campaigns) : list;
      },
    );
    app.post(
      '/api/giving/campaigns',
      {
        schema: {
          tags,
          summary: 'Add a campaign (money or unit goal)',
          body: CampaignInput,
          response: { 201: CampaignRow },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => createCampaign(gc, request.body))),
    );
    app.get(
      '/api/giving/gifts',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary:
            'Gifts, newest first (with format=csv: every gift the filters match, as a CSV file, audited)',
          querystring: z.object({
            supporterId: Id.optional(),
            status: z.enum(GIFT_STATUSES).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            format: ListFormat,
          }),
          response: { 200: GiftList },
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerGiftsCsv(ctx, request, reply, request.query)
          : run(request, async (gc) => {
              const list = await listGifts(gc, {
                limit: request.query.limit,
                ...(request.query.supporterId ? { supporterId: request.query.supporterId } : {}),
                ...(request.query.status ? { status: request.query.status } : {}),
              });
              return { gifts: withGiftActions(gc.subject, list.gifts) };
            }),
    );
    app.get(
      '/api/giving/gifts/:id',
      {
        schema: {
          tags,
          summary: 'A gift with its ledger entries, receipt and soft credits',
          params: idParams,
          response: { 200: GiftDetail },
        },
      },
      async (request) =>
        run(request, async (gc) => presentGiftDetail(gc.subject, await getGift(gc, request.params.id))),
    );
    app.get(
      '/api/giving/gifts/:id/receipt.pdf',
      { schema: { tags, summary: 'The receipt of a settled gift, as a PDF', params: idParams } },
      async (request, reply) => {
        const { number, pdf } = await run(request, (gc) => receiptPdfForGift(gc, request.params.id));
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${number}.pdf"`)
          .send(pdf);
      },
    );
    app.post(
      '/api/giving/gifts/:id/refund',
      {
        schema: {
          tags,
          summary: 'Refund an offline gift (a new opposite entry)',
          params: idParams,
          body: RefundInput,
          response: { 200: GiftDetail },
        },
      },
      async (request) =>
        run(request, async (gc) =>
          presentGiftDetail(gc.subject, await refundGift(gc, request.params.id, request.body.amountMinor)),
        ),
    );
    app.post(
      '/api/giving/gifts/:id/correction',
      {
        schema: {
          tags,
          summary: 'Move a settled gift to another fund (a correction pair)',
          params: idParams,
          body: CorrectionInput,
          response: { 200: GiftDetail },
        },
      },
      async (request) =>
        run(request, async (gc) =>
          presentGiftDetail(gc.subject, await correctGiftFund(gc, request.params.id, request.body.fund)),
        ),
    );
    app.post(
      '/api/giving/batches',
      {
        schema: {
          tags,
          summary: 'Open a batch of offline gifts with a control total',
          body: BatchInput,
          response: { 201: BatchRow },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => createBatch(gc, request.body))),
    );
    app.get(
      '/api/giving/batches/:id',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'A batch with its gifts and what they add up to (format=csv: its gifts, audited)',
          params: idParams,
          querystring: formatQuery,
          response: { 200: BatchDetail },
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerBatchGiftsCsv(ctx, request, reply, (gc) => getBatch(gc, request.params.id))
          : run(request, async (gc) => presentBatch(gc.subject, await getBatch(gc, request.params.id))),
    );
    app.post(
      '/api/giving/batches/:id/gifts',
      {
        schema: {
          tags,
          summary: 'Enter an offline gift into a batch',
          params: idParams,
          body: BatchGiftInput,
          response: { 201: GiftRow },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => addBatchGift(gc, request.params.id, request.body))),
    );
    app.post(
      '/api/giving/batches/:id/post',
      {
        schema: {
          tags,
          summary: 'Post a batch (only when it matches its control total)',
          params: idParams,
          response: { 200: BatchDetail },
        },
      },
      async (request) =>
        run(request, async (gc) => presentBatch(gc.subject, await postBatch(gc, request.params.id))),
    );
    app.post(
      '/api/giving/allocations',
      {
        schema: {
          tags,
          summary: 'Give funded units to a rescue case, by code',
          body: AllocationInput,
          response: { 201: AllocationResult },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => allocateUnits(gc, request.body))),
    );
    app.get(
      '/api/giving/check',
      { schema: { tags, summary: 'Check the ledger’s invariants', response: { 200: LedgerCheck } } },
      async (request) => run(request, (gc) => runLedgerCheck(gc)),
    );
  };
