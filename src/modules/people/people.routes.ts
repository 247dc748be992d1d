import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csvExportRateLimit, ListFormat } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import { staffWork } from '../../platform/http/request-work';
import {
  ConsentStates,
  Done,
  DuplicatePairs,
  Merged,
  NoteAdded,
  Supporter,
  SupporterDetail,
  SupporterList,
  SupporterSummaries,
  TimelinePage,
} from './people.responses';
import {
  ConsentInput,
  MergeInput,
  NoteInput,
  SearchQuery,
  SupporterId,
  SupporterInput,
  SupporterPatch,
  Tag,
  TimelinePageQuery,
} from './people.schema';
import {
  addNote,
  addTag,
  createSupporter,
  findDuplicates,
  getSupporter,
  mergeSupporters,
  recordConsent,
  removeTag,
  searchSupporters,
  updateSupporter,
} from './people.service';
import { answerSupportersCsv } from './people-export';
import { supporterSummaries, supporterTimeline } from './timeline';

const tags = ['people'];
const idParams = z.object({ id: SupporterId });

export const peopleRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    /** Staff with a second factor; the service decides by role; one transaction per request. */
    const run = staffWork(ctx);

    app.get(
      '/api/people',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary:
            'Search supporters by name, email or postcode (format=csv: every match as a CSV file, audited)',
          querystring: SearchQuery.extend({ format: ListFormat }),
          response: { 200: SupporterList },
        },
      },
      async (request, reply) =>
        request.query.format === 'csv'
          ? answerSupportersCsv(ctx, request, reply, request.query)
          : run(request, (pc) => searchSupporters(pc, request.query)),
    );
    app.post(
      '/api/people',
      {
        schema: {
          tags,
          summary: 'Add a supporter (individual, household or organisation)',
          body: SupporterInput,
          response: { 201: Supporter },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (pc) => createSupporter(pc, request.body))),
    );
    app.get(
      '/api/people/duplicates',
      {
        schema: {
          tags,
          summary: 'Likely duplicates: same email, same name and postcode, or same phone',
          querystring: z.object({ supporterId: SupporterId.optional() }),
          response: { 200: DuplicatePairs },
        },
      },
      async (request) =>
        run(request, (pc) =>
          findDuplicates(pc, request.query.supporterId ? { supporterId: request.query.supporterId } : {}),
        ),
    );
    app.get(
      '/api/people/:id',
      {
        schema: {
          tags,
          summary: 'A supporter with tags, notes and consent',
          params: idParams,
          response: { 200: SupporterDetail },
        },
      },
      async (request) => run(request, (pc) => getSupporter(pc, request.params.id)),
    );
    app.get(
      '/api/people/:id/timeline',
      {
        schema: {
          tags,
          summary: 'Everything the supporter did, newest first, from every module (paged by cursor)',
          params: idParams,
          querystring: TimelinePageQuery,
          response: { 200: TimelinePage },
        },
      },
      async (request) =>
        run(request, (pc) =>
          supporterTimeline(pc, request.params.id, {
            cursor: request.query.cursor,
            before: request.query.before,
            limit: request.query.limit,
          }),
        ),
    );
    app.get(
      '/api/people/:id/summary',
      {
        schema: {
          tags,
          summary: "Other modules' summaries of a supporter (Giving: totals, monthly gifts, recent gifts)",
          params: idParams,
          response: { 200: SupporterSummaries },
        },
      },
      async (request) => run(request, (pc) => supporterSummaries(pc, request.params.id)),
    );
    app.patch(
      '/api/people/:id',
      {
        schema: {
          tags,
          summary: 'Change a supporter',
          params: idParams,
          body: SupporterPatch,
          response: { 200: Supporter },
        },
      },
      async (request) => run(request, (pc) => updateSupporter(pc, request.params.id, request.body)),
    );
    app.post(
      '/api/people/:id/consents',
      {
        schema: {
          tags,
          summary: 'Record consent given or withdrawn',
          params: idParams,
          body: ConsentInput,
          response: { 200: ConsentStates },
        },
      },
      async (request) => run(request, (pc) => recordConsent(pc, request.params.id, request.body)),
    );
    app.post(
      '/api/people/:id/tags',
      {
        schema: {
          tags,
          summary: 'Tag a supporter',
          params: idParams,
          body: z.object({ tag: Tag }),
          response: { 200: Done },
        },
      },
      async (request) => run(request, (pc) => addTag(pc, request.params.id, request.body.tag)),
    );
    app.delete(
      '/api/people/:id/tags/:tag',
      {
        schema: {
          tags,
          summary: 'Remove a tag',
          params: z.object({ id: SupporterId, tag: Tag }),
          response: { 200: Done },
        },
      },
      async (request) => run(request, (pc) => removeTag(pc, request.params.id, request.params.tag)),
    );
    app.post(
      '/api/people/:id/notes',
      {
        schema: {
          tags,
          summary: 'Add a note',
          params: idParams,
          body: NoteInput,
          response: { 201: NoteAdded },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await run(request, (pc) => addNote(pc, request.params.id, request.body.body))),
    );
    app.post(
      '/api/people/:id/merge',
      {
        schema: {
          tags,
          summary: 'Merge this supporter into another (gifts, tags, notes move to the survivor)',
          params: idParams,
          body: MergeInput,
          response: { 200: Merged },
        },
      },
      async (request) =>
        run(request, (pc) => mergeSupporters(pc, request.params.id, request.body.survivorId)),
    );
  };
