import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sendCsv } from '../../../platform/export';
import type { AppContext } from '../../../platform/http/context';
import { requireExportStepUp, staffWork } from '../../../platform/http/request-work';
import { toDecimalString } from '../../../platform/money/money';
import { LapsedReport, RetentionReport, TopDonorsReport, TotalsReport } from './report.responses';
import { LapsedQuery, RetentionQuery, TopDonorsQuery, TotalsQuery } from './report.schema';
import {
  donorRetention,
  givingTotals,
  type LapsedDonor,
  lapsedDonors,
  type RetentionYear,
  rangeOrThisYear,
  type TopDonor,
  type TotalsRow,
  topDonors,
} from './report.service';

const tags = ['giving'];
// Donor lists are an exfiltration path: a person reads a few a minute, a scraper many.
const reportLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };

const decimal = (amountMinor: number, currency: string) => toDecimalString(amountMinor, currency);

/**
 * Staff reports: `GET /api/giving/reports/…`, each as JSON or, with `?format=csv`, a CSV download. A CSV of
 * donors (LYBUNT, SYBUNT, top donors) needs a fresh step-up; aggregates (totals, retention) none.
 */
export const reportRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const run = staffWork(ctx);

    app.get(
      '/api/giving/reports/totals',
      {
        config: reportLimit,
        schema: {
          tags,
          summary:
            'Totals by fund, campaign, month (UTC) or currency over a range of days (default: this year)',
          querystring: TotalsQuery,
          response: { 200: TotalsReport },
        },
      },
      async (request, reply) => {
        const { groupBy, format } = request.query;
        const range = rangeOrThisYear(request.query);
        const report = await run(request, (gc) => givingTotals(gc, groupBy, range));
        if (format === 'json') return report;
        type Line = Omit<TotalsRow, 'key' | 'label'> & {
          row: string;
          key: string | null;
          label: string | null;
        };
        const lines: Line[] = [
          ...report.rows.map((r) => ({ row: 'group', ...r })),
          ...report.totals.map((r) => ({ row: 'total', key: null, label: null, ...r })),
        ];
        return sendCsv(reply, `giving-totals-by-${groupBy}-${range.from}-${range.to}`, lines, [
          'row',
          { header: groupBy, value: (r) => r.key ?? (r.row === 'group' ? '(none)' : '') },
          { header: 'name', value: (r) => r.label },
          'currency',
          { header: 'amount', value: (r) => decimal(r.amountMinor, r.currency) },
          { header: 'amount_minor', value: (r) => r.amountMinor },
          'gifts',
          'donors',
        ]);
      },
    );

    for (const kind of ['lybunt', 'sybunt'] as const) {
      app.get(
        `/api/giving/reports/${kind}`,
        {
          config: reportLimit,
          schema: {
            tags,
            summary:
              kind === 'lybunt'
                ? 'LYBUNT: donors who gave last year but not (yet) this year, with their last gift and last year’s total'
                : 'SYBUNT: donors who gave in an earlier year but neither last year nor this year',
            querystring: LapsedQuery,
            response: { 200: LapsedReport },
          },
        },
        async (request, reply) => {
          const year = request.query.year ?? new Date().getUTCFullYear();
          const csv = request.query.format === 'csv';
          const report = await run(request, async (gc) => {
            const read = await lapsedDonors(gc, kind, year, csv ? null : request.query.limit);
            // A file of donors needs a fresh step-up; the refusal rolls back the read's audit entry.
            if (csv) requireExportStepUp(gc.subject);
            return read;
          });
          if (!csv) return report;
          // One line per donor and currency, so every amount stays a number in its own currency.
          const lines = report.donors.flatMap((d) => d.lastGivingYearTotals.map((t) => ({ ...d, ...t })));
          return sendCsv(reply, `giving-${kind}-${year}`, lines, [
            {
              header: 'supporter_id',
              value: (r: LapsedDonor & { currency: string; amountMinor: number }) => r.supporterId,
            },
            'name',
            'email',
            { header: 'last_gift_on', value: (r) => r.lastGiftOn },
            { header: 'last_giving_year', value: (r) => r.lastGivingYear },
            'currency',
            { header: 'last_giving_year_total', value: (r) => decimal(r.amountMinor, r.currency) },
            { header: 'last_giving_year_total_minor', value: (r) => r.amountMinor },
          ]);
        },
      );
    }

    app.get(
      '/api/giving/reports/retention',
      {
        config: reportLimit,
        schema: {
          tags,
          summary: 'Donor retention per year: new, retained, recaptured and lapsed donors',
          querystring: RetentionQuery,
          response: { 200: RetentionReport },
        },
      },
      async (request, reply) => {
        const year = request.query.year ?? new Date().getUTCFullYear();
        const report = await run(request, (gc) => donorRetention(gc, year, request.query.years));
        if (request.query.format === 'json') return report;
        return sendCsv<RetentionYear>(reply, `giving-retention-${year}`, report.years, [
          'year',
          'donors',
          { header: 'last_year_donors', value: (r) => r.lastYearDonors },
          'new',
          'retained',
          'recaptured',
          'lapsed',
          {
            header: 'retention_percent',
            value: (r) => (r.retentionPercent === null ? null : r.retentionPercent.toFixed(1)),
          },
        ]);
      },
    );

    app.get(
      '/api/giving/reports/top-donors',
      {
        config: reportLimit,
        schema: {
          tags,
          summary:
            'The donors with the largest totals over a range of days, per currency (default: this year)',
          querystring: TopDonorsQuery,
          response: { 200: TopDonorsReport },
        },
      },
      async (request, reply) => {
        const range = rangeOrThisYear(request.query);
        const report = await run(request, async (gc) => {
          const read = await topDonors(gc, range, {
            currency: request.query.currency,
            limit: request.query.limit,
          });
          if (request.query.format === 'csv') requireExportStepUp(gc.subject);
          return read;
        });
        if (request.query.format === 'json') return report;
        return sendCsv<TopDonor>(reply, `giving-top-donors-${range.from}-${range.to}`, report.donors, [
          'currency',
          'rank',
          { header: 'supporter_id', value: (r) => r.supporterId },
          'name',
          'email',
          { header: 'amount', value: (r) => decimal(r.amountMinor, r.currency) },
          { header: 'amount_minor', value: (r) => r.amountMinor },
          'gifts',
          { header: 'anonymous_gifts', value: (r) => r.anonymousGifts },
          { header: 'last_gift_on', value: (r) => r.lastGiftOn },
        ]);
      },
    );
  };
