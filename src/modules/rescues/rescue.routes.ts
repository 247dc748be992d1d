import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RecordIdSchema } from '../../platform/audit/audit.schema';
import type { AppContext } from '../../platform/http/context';
import { scopedWork } from '../../platform/http/request-work';
import {
  acknowledgeAlert,
  clearPartnerFlag,
  listAlerts,
  markLegCompromised,
  markPartnerCompromised,
} from './alert.service';
import { changeCaseStatus, extendRetention, handOverCase } from './case-lifecycle.service';
import { followUpIncident, openIncident, recordCost } from './incident-cost.service';
import { readTravellerPhoto, storeTravellerPhoto } from './photo.service';
import { PARTNER_FLAG_CLEAR_REASONS } from './rescue.constants';
import {
  AlertList,
  CaseList,
  CaseOpened,
  Created,
  Dashboard,
  Flagged,
  HandedOver,
  LegAdded,
  LegReported,
  MyLegs,
  PartnerList,
  RescueCase,
  RetentionExtended,
  Revealed,
  RouteTemplateList,
  TravellerAdded,
} from './rescue.responses';
import {
  CASE_STATUSES,
  CaseCode,
  CHECK_IN_KINDS,
  COST_CATEGORIES,
  CURRENCIES,
  DESTINATIONS,
  INCIDENT_KINDS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  LEG_STATUSES,
  LegInput,
  OpenCaseInput,
  PHOTO_MAX_BYTES,
  RouteTemplateLeg,
  TravellerInput,
} from './rescue.schema';
import {
  getRescueCase,
  listRescueCases,
  openRescueCase,
  rescueDashboard,
  revealRescueCase,
} from './rescue-case.service';
import { addLeg, listMyLegs, listPartners, reportOnLeg, updateLeg } from './route.service';
import { createRouteTemplate, listRouteTemplates } from './route-template.service';
import { addTraveller, updateTravellerIdentity } from './traveller.service';

const codeParams = z.object({ code: CaseCode });
const id = RecordIdSchema;
const position = z.coerce
  .number()
  .int()
  .min(1, 'must be a traveller number')
  .max(30, 'must be a traveller number');
const done = z.object({ ok: z.literal(true) });
const tags = ['rescues'];

export const rescueRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    /** Every rescue route: a staff caller with a second factor, their compartments, one bound transaction. */
    const scoped = scopedWork(ctx);

    app.get(
      '/api/rescues',
      {
        schema: {
          tags,
          summary: 'Rescue cases in my compartments, by code',
          querystring: z.object({
            status: z.enum(CASE_STATUSES).optional(),
            flagged: z.enum(['true', 'false']).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            after: CaseCode.optional(),
          }),
          response: { 200: CaseList },
        },
      },
      async (request) =>
        scoped(request, (rc) =>
          listRescueCases(rc, {
            ...(request.query.status ? { status: request.query.status } : {}),
            flagged: request.query.flagged === 'true',
            limit: request.query.limit,
            ...(request.query.after ? { after: request.query.after } : {}),
          }),
        ),
    );

    app.post(
      '/api/rescues',
      {
        schema: {
          tags,
          summary: 'Open a rescue case (a code name is generated)',
          body: OpenCaseInput,
          response: { 201: CaseOpened },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await scoped(request, (rc) => openRescueCase(rc, request.body))),
    );

    app.get(
      '/api/rescues/dashboard',
      { schema: { tags, summary: 'Coordinator dashboard', response: { 200: Dashboard } } },
      async (request) => scoped(request, (rc) => rescueDashboard(rc)),
    );

    app.get(
      '/api/rescues/alerts',
      { schema: { tags, summary: 'Open alerts in my compartments', response: { 200: AlertList } } },
      async (request) => ({
        alerts: await scoped(request, (rc) => listAlerts(rc)),
      }),
    );

    app.post(
      '/api/rescues/alerts/:id/acknowledge',
      {
        schema: { tags, summary: 'Acknowledge an alert', params: z.object({ id }), response: { 200: done } },
      },
      async (request) => {
        await scoped(request, (rc) => acknowledgeAlert(rc, request.params.id));
        return { ok: true as const };
      },
    );

    app.get(
      '/api/rescues/route-templates',
      { schema: { tags, summary: 'Route templates', response: { 200: RouteTemplateList } } },
      async (request) => {
        return { templates: await scoped(request, (rc) => listRouteTemplates(rc)) };
      },
    );

    app.post(
      '/api/rescues/route-templates',
      {
        schema: {
          tags,
          summary: 'Create a route template (coarse places only)',
          body: z.object({
            name: z.string().trim().min(1, 'is required').max(120),
            currency: z.enum(CURRENCIES),
            legs: z.array(RouteTemplateLeg).min(1, 'must have at least one leg').max(20),
          }),
          response: { 201: Created },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await scoped(request, (rc) => createRouteTemplate(rc, request.body))),
    );

    app.get(
      '/api/rescues/partners',
      {
        schema: {
          tags,
          summary: 'Field partners in my compartments, for assigning legs',
          response: { 200: PartnerList },
        },
      },
      async (request) => ({ partners: await scoped(request, (rc) => listPartners(rc)) }),
    );

    app.post(
      '/api/rescues/partners/:userId/compromised',
      {
        schema: {
          tags,
          summary: 'Mark a field partner compromised: flags every case that used them',
          params: z.object({ userId: id }),
          response: { 200: Flagged },
        },
      },
      async (request) => {
        const result = await scoped(request, (rc) => markPartnerCompromised(rc, request.params.userId));
        ctx.mail.deliverSoon();
        return result;
      },
    );

    app.post(
      '/api/rescues/partners/:userId/compromised/clear',
      {
        schema: {
          tags,
          summary: "Clear a field partner's compromised flag after review (security leads; audited)",
          params: z.object({ userId: id }),
          body: z.object({ reason: z.enum(PARTNER_FLAG_CLEAR_REASONS) }),
        },
      },
      async (request) =>
        scoped(request, (rc) => clearPartnerFlag(rc, request.params.userId, request.body.reason)),
    );

    app.get(
      '/api/rescues/:code',
      {
        schema: {
          tags,
          summary: 'A rescue case (no identities)',
          params: codeParams,
          response: { 200: RescueCase },
        },
      },
      async (request) => scoped(request, (rc) => getRescueCase(rc, request.params.code)),
    );

    app.post(
      '/api/rescues/:code/reveal',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Open the identities and notes of a case (step-up, audited)',
          params: codeParams,
          response: { 200: Revealed },
        },
      },
      async (request) => scoped(request, (rc) => revealRescueCase(rc, request.params.code)),
    );

    app.post(
      '/api/rescues/:code/travellers',
      {
        schema: {
          tags,
          summary: 'Add a traveller to a case',
          params: codeParams,
          body: TravellerInput,
          response: { 201: TravellerAdded },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await scoped(request, (rc) => addTraveller(rc, request.params.code, request.body))),
    );

    app.patch(
      '/api/rescues/:code/travellers/:position/identity',
      {
        schema: {
          tags,
          summary: "Set or clear a traveller's identity fields (encrypted)",
          params: codeParams.extend({ position }),
          body: z.object({
            name: z.string().max(200).nullable().optional(),
            currentRegion: z.string().max(120).nullable().optional(),
            familyInNorthKorea: z.string().max(2000).nullable().optional(),
            contactMethod: z.string().max(500).nullable().optional(),
            healthNotes: z.string().max(2000).nullable().optional(),
          }),
          response: { 200: done },
        },
      },
      async (request) => {
        await scoped(request, (rc) =>
          updateTravellerIdentity(rc, request.params.code, request.params.position, request.body),
        );
        return { ok: true as const };
      },
    );

    app.put(
      '/api/rescues/:code/travellers/:position/photo',
      {
        bodyLimit: Math.ceil(PHOTO_MAX_BYTES * 1.4),
        schema: {
          tags,
          summary: 'Upload a photo: metadata stripped, stored encrypted',
          params: codeParams.extend({ position }),
          body: z.object({
            dataBase64: z
              .string()
              .min(1, 'is required')
              .max(Math.ceil(PHOTO_MAX_BYTES * 1.37)),
          }),
          response: { 200: z.object({ bytes: z.number().int() }) },
        },
      },
      async (request) =>
        scoped(request, (rc) =>
          storeTravellerPhoto(
            rc,
            request.params.code,
            request.params.position,
            Buffer.from(request.body.dataBase64, 'base64'),
          ),
        ),
    );

    app.get(
      '/api/rescues/:code/travellers/:position/photo',
      {
        schema: {
          tags,
          summary: "A traveller's photo (step-up, audited)",
          params: codeParams.extend({ position }),
        },
      },
      async (request, reply) => {
        const image = await scoped(request, (rc) =>
          readTravellerPhoto(rc, request.params.code, request.params.position),
        );
        return reply.type('image/jpeg').header('Cache-Control', 'no-store').send(image);
      },
    );

    app.post(
      '/api/rescues/:code/status',
      {
        schema: {
          tags,
          summary: 'Move the case to another status (impossible moves refused)',
          params: codeParams,
          body: z.object({
            to: z.enum(CASE_STATUSES),
            note: z.string().max(2000).optional(),
            destination: z.enum(DESTINATIONS).optional(),
          }),
          response: { 200: done },
        },
      },
      async (request) => {
        await scoped(request, (rc) => changeCaseStatus(rc, request.params.code, request.body));
        return { ok: true as const };
      },
    );

    app.post(
      '/api/rescues/:code/handover',
      {
        schema: {
          tags,
          summary: 'Hand an arrived case over to resettlement',
          params: codeParams,
          response: { 200: HandedOver },
        },
      },
      async (request) => scoped(request, (rc) => handOverCase(rc, request.params.code)),
    );

    app.post(
      '/api/rescues/:code/retention',
      {
        schema: {
          tags,
          summary: 'Extend the retention of identities before shredding (reason required, audited)',
          params: codeParams,
          body: z.object({
            days: z.number().int().min(1, 'must be 1 to 365 days').max(365, 'must be 1 to 365 days'),
            reason: z.string().trim().min(5, 'must say why (at least 5 characters)').max(1000),
          }),
          response: { 200: RetentionExtended },
        },
      },
      async (request) => scoped(request, (rc) => extendRetention(rc, request.params.code, request.body)),
    );

    app.post(
      '/api/rescues/:code/legs',
      {
        schema: {
          tags,
          summary: 'Add a leg to the route',
          params: codeParams,
          body: LegInput,
          response: { 201: LegAdded },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await scoped(request, (rc) => addLeg(rc, request.params.code, request.body))),
    );

    app.patch(
      '/api/rescues/:code/legs/:legId',
      {
        schema: {
          tags,
          summary: 'Change a leg: partner, window, budget, status',
          params: codeParams.extend({ legId: id }),
          body: LegInput.partial().extend({ status: z.enum(LEG_STATUSES).optional() }),
          response: { 200: done },
        },
      },
      async (request) => {
        await scoped(request, (rc) => updateLeg(rc, request.params.code, request.params.legId, request.body));
        return { ok: true as const };
      },
    );

    app.post(
      '/api/rescues/:code/legs/:legId/compromised',
      {
        schema: {
          tags,
          summary: 'Mark a leg compromised: flags every case over the same crossing',
          params: codeParams.extend({ legId: id }),
          response: { 200: Flagged },
        },
      },
      async (request) =>
        scoped(request, (rc) => markLegCompromised(rc, request.params.code, request.params.legId)),
    );

    app.post(
      '/api/rescues/:code/incidents',
      {
        schema: {
          tags,
          summary: 'Record an incident',
          params: codeParams,
          body: z.object({
            kind: z.enum(INCIDENT_KINDS),
            severity: z.enum(INCIDENT_SEVERITIES),
            legId: id.nullable().optional(),
            description: z.string().max(4000).optional(),
          }),
          response: { 201: Created },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await scoped(request, (rc) => openIncident(rc, request.params.code, request.body))),
    );

    app.post(
      '/api/rescues/:code/incidents/:incidentId/follow-ups',
      {
        schema: {
          tags,
          summary: 'Follow up an incident: a note and/or a new status',
          params: codeParams.extend({ incidentId: id }),
          body: z
            .object({ note: z.string().max(4000).optional(), status: z.enum(INCIDENT_STATUSES).optional() })
            .refine((v) => v.note || v.status, 'give a note or a status'),
          response: { 200: done },
        },
      },
      async (request) => {
        await scoped(request, (rc) =>
          followUpIncident(rc, request.params.code, request.params.incidentId, request.body),
        );
        return { ok: true as const };
      },
    );

    app.post(
      '/api/rescues/:code/costs',
      {
        schema: {
          tags,
          summary: 'Record an expense (whole minor units, any currency)',
          params: codeParams,
          body: z.object({
            category: z.enum(COST_CATEGORIES),
            amountMinor: z.number().int('must be a whole number of minor units').positive('must be positive'),
            currency: z.enum(CURRENCIES),
            spentOn: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }),
            legId: id.nullable().optional(),
          }),
          response: { 201: Created },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await scoped(request, (rc) => recordCost(rc, request.params.code, request.body))),
    );

    // The field partner's small page talks to these two routes only.
    app.get(
      '/api/field/legs',
      { schema: { tags: ['field'], summary: 'My legs (field partners)', response: { 200: MyLegs } } },
      async (request) => ({
        legs: await scoped(request, (rc) => listMyLegs(rc)),
      }),
    );

    app.post(
      '/api/field/legs/:legId/report',
      {
        config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
        schema: {
          tags: ['field'],
          summary: 'Confirm a pick-up or hand-off, check in, or report a delay or a problem',
          params: z.object({ legId: id }),
          body: z.object({ kind: z.enum(CHECK_IN_KINDS), note: z.string().max(2000).optional() }),
          response: { 200: LegReported },
        },
      },
      async (request) =>
        scoped(request, (rc) => reportOnLeg(rc, request.params.legId, request.body.kind, request.body.note)),
    );
  };
