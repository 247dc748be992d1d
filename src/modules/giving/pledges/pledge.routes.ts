import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csvExportRateLimit, ListFormat } from '../../../platform/export';
import type { AppContext } from '../../../platform/http/context';
import { staffWork } from '../../../platform/http/request-work';
import { answerPledgeInvoicesCsv, answerPledgesCsv } from '../console/giving-export';
import { Id } from '../giving.schema';
import { PLEDGE_ACTIONS } from './pledge.policy';
import {
  InvoiceInput,
  InvoicePaidInput,
  PledgeInput,
  ReadingInput,
  ReadingsImportInput,
} from './pledge.schema';
import {
  addReading,
  createPledge,
  getPledge,
  importReadings,
  invoicePdfFor,
  issueInvoice,
  listPledges,
  markInvoicePaid,
  ReadingsCsvError,
  voidInvoice,
} from './pledge.service';

const tags = ['giving'];
const idParams = z.object({ id: Id });
const formatQuery = z.object({ format: ListFormat });

/** Sponsor and matching pledges: staff only (development writes, administrators read). */
export const pledgeRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const run = staffWork(ctx);

    app.get(
      '/api/giving/pledges',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'Sponsor and matching pledges with raised, invoiced, due and cap (format=csv: audited)',
          querystring: formatQuery,
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerPledgesCsv(ctx, request, reply, listPledges, PLEDGE_ACTIONS.read)
          : run(request, (gc) => listPledges(gc)),
    );
    app.post(
      '/api/giving/pledges',
      { schema: { tags, summary: 'Create a per-unit or a matching pledge', body: PledgeInput } },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => createPledge(gc, request.body))),
    );
    app.get(
      '/api/giving/pledges/:id',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'A pledge with its readings, invoices and amount due (format=csv: its invoices, audited)',
          params: idParams,
          querystring: formatQuery,
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerPledgeInvoicesCsv(
              ctx,
              request,
              reply,
              (gc) => getPledge(gc, request.params.id),
              PLEDGE_ACTIONS.read,
            )
          : run(request, (gc) => getPledge(gc, request.params.id)),
    );
    app.post(
      '/api/giving/pledges/:id/readings',
      {
        schema: {
          tags,
          summary: 'Enter a reading of a per-unit pledge',
          params: idParams,
          body: ReadingInput,
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (gc) => addReading(gc, request.params.id, request.body))),
    );
    app.post(
      '/api/giving/pledges/:id/readings/import',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Import readings from a CSV (date,value[,note]): all or nothing, bad lines by line and column',
          params: idParams,
          body: ReadingsImportInput,
        },
      },
      async (request, reply) => {
        try {
          return reply
            .code(201)
            .send(await run(request, (gc) => importReadings(gc, request.params.id, request.body.csv)));
        } catch (error) {
          if (error instanceof ReadingsCsvError) {
            const problems = error.problems.slice(0, 200);
            // `issues` in the shape every 400 of the API uses, for the console; `problems` by line and column.
            const issues = problems.map((p) => ({
              field: `line ${p.line}${p.column ? `, ${p.column}` : ''}`,
              message: p.reason,
            }));
            return reply.code(400).send({ error: error.id, message: error.message, problems, issues });
          }
          throw error;
        }
      },
    );
    app.post(
      '/api/giving/pledges/:id/invoices',
      {
        schema: {
          tags,
          summary: 'Invoice what is due (INV-YYYY-NNNNNN), emailed to the sponsor',
          params: idParams,
          body: InvoiceInput,
        },
      },
      async (request, reply) => {
        const invoice = await run(request, (gc) => issueInvoice(gc, request.params.id, request.body));
        ctx.mail.deliverSoon();
        return reply.code(201).send(invoice);
      },
    );
    app.post(
      '/api/giving/pledge-invoices/:id/paid',
      {
        schema: {
          tags,
          summary:
            'Record the payment of an invoice: an offline gift from the sponsor, settled and receipted',
          params: idParams,
          body: InvoicePaidInput,
        },
      },
      async (request) => {
        const invoice = await run(request, (gc) => markInvoicePaid(gc, request.params.id, request.body));
        ctx.mail.deliverSoon();
        return invoice;
      },
    );
    app.post(
      '/api/giving/pledge-invoices/:id/void',
      { schema: { tags, summary: 'Void an unpaid invoice', params: idParams } },
      async (request) => run(request, (gc) => voidInvoice(gc, request.params.id)),
    );
    app.get(
      '/api/giving/pledge-invoices/:id/invoice.pdf',
      { schema: { tags, summary: 'An invoice as a PDF', params: idParams } },
      async (request, reply) => {
        const { number, pdf } = await run(request, (gc) => invoicePdfFor(gc, request.params.id));
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${number}.pdf"`)
          .send(pdf);
      },
    );
  };
