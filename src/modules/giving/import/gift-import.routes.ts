import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../../platform/access/policy';
import { csvExportRateLimit, ListFormat } from '../../../platform/export';
import type { AppContext } from '../../../platform/http/context';
import { staffCaller } from '../../../platform/http/request-work';
import { sendImportRunsCsv } from '../console/giving-export';
import { GIVING_ACTIONS } from '../giving.policy';
import { IMPORT_FIELDS, IMPORT_LAYOUTS, IMPORT_MAX_CHARS } from './gift-import.constants';
import { CommitStarted, ImportCheck, RunList, RunState } from './gift-import.responses';
import { DATE_FORMATS } from './gift-import.row';
import {
  checkImport,
  commitHeldImport,
  getImportRun,
  type ImportCaller,
  listImportRuns,
} from './gift-import.service';

const tags = ['giving'];

export { IMPORT_MAX_CHARS };

/** JSON escapes a CSV's quotes and line breaks: room for the file twice over. */
const BODY_LIMIT = 2 * IMPORT_MAX_CHARS + 64 * 1024;
/** How many problems a dry run answers (the count says how many there are in all). */
export const REPORTED_ERRORS = 1000;

const Csv = z
  .string({ error: 'must be the CSV file as text' })
  .min(1, 'is empty')
  .max(IMPORT_MAX_CHARS, `is larger than ${IMPORT_MAX_CHARS / 1024 / 1024} MB: split the file`);

/** The choices of the mapping step. */
const Settings = z.object({
  layout: z.enum(IMPORT_LAYOUTS, { error: 'must be civicrm, npsp or custom' }).optional(),
  mapping: z
    .record(z.string().max(200), z.enum(IMPORT_FIELDS, { error: 'is not a Passage field' }).nullable())
    .refine((m) => Object.keys(m).length <= 500, 'has more than 500 columns')
    .optional(),
  defaultCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a currency code such as USD')
    .optional(),
  dateFormat: z.enum(DATE_FORMATS, { error: `must be one of ${DATE_FORMATS.join(', ')}` }).optional(),
  contactKind: z
    .enum(['individual', 'household', 'organisation'], {
      error: 'must be individual, household or organisation',
    })
    .optional(),
  entity: z.enum(['gifts', 'contacts'], { error: 'must be gifts or contacts' }).optional(),
  defaultFund: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, 'must be a fund code')
    .optional(),
});

const CheckBody = Settings.extend({
  fileName: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(255, 'must be at most 255 characters')
    // Only the name: a browser may send a path, and the run lists it.
    .transform((name) => name.split(/[\\/]/).pop() ?? name),
  csv: Csv,
});

const CommitBody = z.object({
  skipBadRows: z.boolean({ error: 'must be true or false' }).default(false),
  /** The file again, when the server no longer holds it (with the same choices as its check). */
  csv: Csv.optional(),
  settings: Settings.optional(),
});

const idParams = z.object({ id: z.string().uuid('is not an id') });

function optionalSettings<T extends Record<string, unknown>>(settings: T) {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]-?: Exclude<T[K], undefined>;
  };
}

/**
 * The console's import: check (the dry run, file held sealed in the database), commit (in the background: poll the run),
 * the run with its progress, and recent runs. Development staff import; administrators read.
 */
export const giftImportRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const staff = staffCaller(ctx);
    // The import opens its own transactions (the commit runs in the background), so the caller has the pool.
    const caller = async (request: FastifyRequest): Promise<ImportCaller> => ({
      ...(await staff(request)),
      db: ctx.database.db,
      keys: ctx.keys,
    });

    app.post(
      '/api/giving/imports',
      {
        bodyLimit: BODY_LIMIT,
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Check a CiviCRM or NPSP CSV (the dry run): layout, mapping and every bad row; the file is held for the commit',
          body: CheckBody,
          response: { 201: ImportCheck },
        },
      },
      async (request, reply) => {
        const { csv, fileName, ...settings } = request.body;
        const { report } = await checkImport(
          await caller(request),
          csv,
          { fileName, ...optionalSettings(settings) },
          { hold: true },
        );
        return reply.code(201).send({
          ...report,
          errors: report.errors.slice(0, REPORTED_ERRORS),
          errorCount: report.errors.length,
        });
      },
    );

    app.post(
      '/api/giving/imports/:id/commit',
      {
        bodyLimit: BODY_LIMIT,
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Commit a checked import, all or nothing (or skipping bad rows): answers at once; poll the run for progress',
          params: idParams,
          body: CommitBody,
          response: { 202: CommitStarted },
        },
      },
      async (request, reply) => {
        const { skipBadRows, csv, settings } = request.body;
        const started = await commitHeldImport(await caller(request), request.params.id, {
          skipBadRows,
          shareProgress: ctx.database.kind === 'postgres',
          ...(csv ? { resend: { text: csv, settings: optionalSettings(settings ?? {}) } } : {}),
        });
        // The commit goes on after the answer; its outcome is the run's status (failures are recorded there).
        void started.done.then(({ run }) => {
          if (run.status === 'failed') request.log.warn({ importRun: run.id }, 'import commit failed');
        });
        return reply.code(202).send({ run: started.run });
      },
    );

    app.get(
      '/api/giving/imports/:id',
      {
        schema: {
          tags,
          summary: 'An import run: its status, and rows written of the total while it commits',
          params: idParams,
          response: { 200: RunState },
        },
      },
      async (request) => getImportRun(await caller(request), request.params.id),
    );

    app.get(
      '/api/giving/imports',
      {
        schema: {
          tags,
          summary: 'Recent import runs, newest first (format=csv: up to 1,000 as a CSV file)',
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(100).default(20),
            format: ListFormat,
          }),
          response: { 200: RunList },
        },
        config: csvExportRateLimit,
      },
      async (request, reply) => {
        const csv = request.query.format === 'csv';
        const as = await caller(request);
        const list = await listImportRuns(as, csv ? 1_000 : request.query.limit);
        if (csv) return sendImportRunsCsv(reply, list.runs);
        // Whether the page offers the wizard: the development team imports (gift.record), others read.
        const mayImport = as.subject !== null && authorize(as.subject, GIVING_ACTIONS.record).allowed;
        return { ...list, allowedActions: mayImport ? ['import' as const] : [] };
      },
    );
  };
