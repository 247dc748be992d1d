import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors';
import type { AppContext } from '../../platform/http/context';
import { DonateOptions, DonationOutcome } from './donate.responses';
import { donateOptions, donationOutcome } from './donations/donate.service';
import { providersFor } from './donations/payment-provider';
import { campaignProgress } from './funds/campaign.service';
import { renderMissingWidget, renderProgressWidget, widgetLanguage } from './funds/progress-widget';
import { CampaignProgress } from './giving.responses';
import { Id, type ProviderName } from './giving.schema';

const tags = ['giving'];
const campaignParams = z.object({
  code: z.string().regex(/^[a-z0-9-]{2,60}$/, 'is not a campaign code'),
});

/** helmet's per-request nonces (see platform/http/web.ts). */
function styleNonceOf(reply: FastifyReply): string {
  const nonces = (reply as FastifyReply & { cspNonce?: { style: string } }).cspNonce;
  if (!nonces) throw new Error('CSP nonces are not enabled');
  return nonces.style;
}

/**
 * The public side of giving that the donate page and other sites read: the choices a donor has, the outcome
 * of their own gift, and the embeddable progress widget. Aggregates and names only, never who gave.
 */
export const donateRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;

    app.get(
      '/api/giving/donate-options',
      {
        config: { public: true },
        schema: {
          tags,
          summary:
            'What the public donate page offers: the funds, open campaigns with progress, and the processor',
          response: { 200: DonateOptions },
        },
      },
      async () => donateOptions(db, Object.keys(providersFor(ctx)) as ProviderName[]),
    );

    app.get(
      '/api/giving/donations/:id',
      {
        // An id is unguessable, but a page that polls while the processor confirms needs no more than this.
        config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'The thank-you page’s read of one online gift (amount, designation, state; never the donor), for a day',
          params: z.object({ id: Id }),
          response: { 200: DonationOutcome },
        },
      },
      async (request) => donationOutcome(db, request.params.id),
    );

    // ── the progress widget: framed by other sites, so this route alone relaxes frame-ancestors ──
    app.get(
      '/widget/campaigns/:code',
      {
        config: { public: true },
        schema: {
          hide: true,
          params: campaignParams,
          querystring: z.object({ lang: z.enum(['en', 'ko']).optional() }),
        },
      },
      async (request, reply) => {
        const language = widgetLanguage(request.query.lang, request.headers['accept-language']);
        const styleNonce = styleNonceOf(reply);
        const progress = await campaignProgress(db, request.params.code).catch((error: unknown) => {
          if (error instanceof AppError && error.id === 'not_found') return null;
          throw error;
        });
        const html = progress
          ? renderProgressWidget({ progress, language, publicUrl: ctx.config.publicUrl, styleNonce })
          : renderMissingWidget(language, styleNonce);
        // No script at all; one nonced <style>; any site may frame it (it holds aggregates only).
        reply.code(progress ? 200 : 404);
        reply.header(
          'Content-Security-Policy',
          `default-src 'none'; style-src 'nonce-${styleNonce}'; base-uri 'none'; form-action 'none'; frame-ancestors *`,
        );
        reply.removeHeader('X-Frame-Options');
        reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
        reply.header('Cache-Control', 'public, max-age=60');
        reply.header('Vary', 'Accept-Language');
        return reply.type('text/html; charset=utf-8').send(html);
      },
    );

    app.get(
      '/widget/campaigns/:code/progress.json',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'A campaign’s progress for other sites’ own widgets (CORS open: aggregates only)',
          params: campaignParams,
          response: { 200: CampaignProgress },
        },
      },
      async (request, reply) => {
        const progress = await campaignProgress(db, request.params.code);
        reply.header('Access-Control-Allow-Origin', '*');
        reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
        reply.header('Cache-Control', 'public, max-age=60');
        return progress;
      },
    );
  };
