import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, type Subject } from '../../../platform/access/policy';
import { csvExportRateLimit, ListFormat } from '../../../platform/export';
import type { AppContext } from '../../../platform/http/context';
import { staffWork } from '../../../platform/http/request-work';
import { answerPledgeInvoicesCsv, answerPledgesCsv } from '../console/giving-export';
import { Id } from '../giving.schema';
import { PLEDGE_ACTIONS } from './pledge.policy';
import {
  Invoice,
  Pledge,
  PledgeDetail,
  PledgeList,
  ReadingsImported,
  ReadingsRefused,
} from './pledge.responses';
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

// What the caller may do with each pledge and invoice, from pledge.policy.ts and the record's state (the
// page shows only these buttons; the service checks again).
const mayWrite = (subject: Subject) => authorize(subject, PLEDGE_ACTIONS.write).allowed;

function presentPledge<P extends { kind: string }>(subject: Subject, pledge: P) {
  const write = mayWrite(subject);
  return {
    ...pledge,
    allowedActions: [
      ...(write && pledge.kind === 'per_unit' ? ['addReading' as const] : []),
      ...(write ? ['issueInvoice' as const] : []),
    ],
  };
}

function presentInvoice<I extends { status: string }>(subject: Subject, invoice: I) {
  return {
    ...invoice,
    allowedActions:
      mayWrite(subject) && invoice.status === 'issued' ? ['markPaid' as const, 'void' as const] : [],
  };
}

function presentDetail(subject: Subject, detail: Awaited<ReturnType<typeof getPledge>>) {
  return {
    pledge: presentPledge(subject, detail.pledge),
    readings: detail.readings,
    invoices: detail.invoices.map((i) => presentInvoice(subject, i)),
    nextPeriodStart: detail.nextPeriodStart,
  };
}

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
          response: { 200: PledgeList },
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerPledgesCsv(ctx, request, reply, listPledges, PLEDGE_ACTIONS.read)
          : run(request, async (gc) => {
              const { pledges } = await listPledges(gc);
              return {
                pledges: pledges.map((p) => presentPledge(gc.subject, p)),
                allowedActions: mayWrite(gc.subject) ? ['create' as const] : [],
              };
            }),
    );
    app.post(
      '/api/giving/pledges',
      {
        schema: {
          tags,
          summary: 'Create a per-unit or a matching pledge',
          body: PledgeInput,
          response: { 201: Pledge },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await run(request, async (gc) => presentPledge(gc.subject, await createPledge(gc, request.body))),
          ),
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
          response: { 200: PledgeDetail },
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
          : run(request, async (gc) => presentDetail(gc.subject, await getPledge(gc, request.params.id))),
    );
    app.post(
      '/api/giving/pledges/:id/readings',
      {
        schema: {
          tags,
          summary: 'Enter a reading of a per-unit pledge',
          params: idParams,
          body: ReadingInput,
          response: { 201: PledgeDetail },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await run(request, async (gc) =>
              presentDetail(gc.subject, await addReading(gc, request.params.id, request.body)),
            ),
          ),
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
          response: { 201: ReadingsImported, 400: ReadingsRefused },
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
          response: { 201: Invoice },
        },
      },
      async (request, reply) => {
        const invoice = await run(request, async (gc) =>
          presentInvoice(gc.subject, await issueInvoice(gc, request.params.id, request.body)),
        );
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
          response: { 200: Invoice },
        },
      },
      async (request) => {
        const invoice = await run(request, async (gc) =>
          presentInvoice(gc.subject, await markInvoicePaid(gc, request.params.id, request.body)),
        );
        ctx.mail.deliverSoon();
        return invoice;
      },
    );
    app.post(
      '/api/giving/pledge-invoices/:id/void',
      { schema: { tags, summary: 'Void an unpaid invoice', params: idParams, response: { 200: Invoice } } },
      async (request) =>
        run(request, async (gc) => presentInvoice(gc.subject, await voidInvoice(gc, request.params.id))),
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
