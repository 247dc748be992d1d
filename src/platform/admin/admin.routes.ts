import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  COMPARTMENT_KEEPERS,
  createCompartment,
  grantMembership,
  listCompartments,
  listMembers,
  revokeMembership,
} from '../access/compartment.service';
import { STAFF_ROLES } from '../access/roles';
import { AuditSearchSchema, RecordIdSchema } from '../audit/audit.schema';
import { searchAudit } from '../audit/audit.service';
import { burnAccount } from '../auth/account-security.service';
import { requireStaff } from '../auth/actor';
import { AdminApiTokenView } from '../auth/api-token.schema';
import { listAllApiTokens, revokeApiToken, setApiTokenGrant } from '../auth/api-token.service';
import { ErrorSchema } from '../auth/auth.routes';
import { inviteStaff, issueReEnrolment, listInvitations, revokeInvitation } from '../auth/invitation.service';
import type { AppContext } from '../http/context';
import { changeStaffRole, listStaff, unlockStaffAccount } from './staff.service';

const Role = z.enum(STAFF_ROLES, { error: `must be one of ${STAFF_ROLES.join(', ')}` });
const StaffView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  secondFactor: z.boolean(),
  frozen: z.boolean(),
  locked: z.boolean(),
  apiTokensAllowed: z.boolean(),
  createdAt: z.string(),
});
const InvitationView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  kind: z.enum(['new_account', 're_enrolment']),
  status: z.enum(['pending', 'accepted', 'expired', 'revoked']),
  expiresAt: z.string(),
  createdAt: z.string(),
});
const id = z.object({ id: RecordIdSchema });

/** Who administers accounts. A security lead can freeze and re-enrol but not invite or change roles. */
const ACCOUNT_ADMINS = ['administrator'] as const;
const ACCOUNT_GUARDS = ['administrator', 'security_lead'] as const;
/** Who reads the audit log. */
export const AUDIT_READERS = ['auditor', 'security_lead'] as const;

export const adminRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;

    app.get(
      '/api/admin/staff',
      {
        schema: {
          tags: ['administration'],
          summary: 'Staff accounts',
          response: { 200: z.object({ staff: z.array(StaffView) }) },
        },
      },
      async (request) => {
        await requireStaff(ctx.access, request, ACCOUNT_GUARDS);
        return { staff: await listStaff(db, ctx.throttle) };
      },
    );

    app.patch(
      '/api/admin/staff/:id',
      {
        schema: {
          tags: ['administration'],
          summary: "Change a staff member's role",
          params: id,
          body: z.object({ role: Role }),
          response: { 204: z.null(), 404: ErrorSchema, 409: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_ADMINS);
        await changeStaffRole(db, actor, request.params.id, request.body.role, request.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/admin/staff/:id/burn',
      {
        schema: {
          tags: ['administration'],
          summary: "Burn switch for someone else's account: revoke everything and freeze it",
          params: id,
          response: {
            200: z.object({
              sessions: z.number().int(),
              passkeys: z.number().int(),
              recoveryCodeSets: z.number().int(),
              apiTokens: z.number().int(),
            }),
            404: ErrorSchema,
          },
        },
      },
      async (request) => {
        // The role check is burnAccount's own, so a refused attempt is audited as denied.
        const actor = await requireStaff(ctx.access, request);
        return burnAccount(db, ctx.mail, actor, request.params.id, request.id);
      },
    );

    app.post(
      '/api/admin/staff/:id/unlock',
      {
        schema: {
          tags: ['administration'],
          summary: 'Unlock a staff account locked by failed sign-ins or step-ups (audited)',
          params: id,
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_GUARDS);
        await unlockStaffAccount(db, ctx.throttle, actor, request.params.id, request.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/admin/api-tokens',
      {
        schema: {
          tags: ['administration'],
          summary:
            'Every API token of every account (never a secret): owner, access, scopes, expiry, last use',
          response: { 200: z.object({ tokens: z.array(AdminApiTokenView) }) },
        },
      },
      async (request) => {
        await requireStaff(ctx.access, request, ACCOUNT_GUARDS);
        return { tokens: await listAllApiTokens(db) };
      },
    );

    app.delete(
      '/api/admin/api-tokens/:id',
      {
        schema: {
          tags: ['administration'],
          summary: "Revoke anyone's API token (audited)",
          params: id,
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_GUARDS);
        await revokeApiToken(db, actor, request.params.id, request.id, new Date(), { ownerOnly: false });
        return reply.code(204).send(null);
      },
    );

    app.put(
      '/api/admin/staff/:id/api-tokens',
      {
        schema: {
          tags: ['administration'],
          summary:
            'Allow (or stop allowing) API tokens for an account whose role reads S4 data (audited; stopping revokes its tokens)',
          params: id,
          body: z.object({ allowed: z.boolean({ error: 'must be true or false' }) }),
          response: {
            200: z.object({ allowed: z.boolean(), revoked: z.number().int() }),
            404: ErrorSchema,
          },
        },
      },
      async (request) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_ADMINS);
        return setApiTokenGrant(db, actor, request.params.id, request.body.allowed, request.id);
      },
    );

    app.post(
      '/api/admin/staff/:id/re-enrolment',
      {
        schema: {
          tags: ['administration'],
          summary: 'Email a frozen account a link to set a new password and second factor',
          params: id,
          response: { 201: InvitationView, 404: ErrorSchema, 409: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_GUARDS);
        const invitation = await issueReEnrolment(
          db,
          ctx.mail,
          actor,
          request.params.id,
          ctx.config.publicUrl,
          request.id,
        );
        return reply.code(201).send(invitation);
      },
    );

    app.get(
      '/api/admin/invitations',
      {
        schema: {
          tags: ['administration'],
          summary: 'Invitations, newest first',
          response: { 200: z.object({ invitations: z.array(InvitationView) }) },
        },
      },
      async (request) => {
        await requireStaff(ctx.access, request, ACCOUNT_ADMINS);
        return { invitations: await listInvitations(db) };
      },
    );

    app.post(
      '/api/admin/invitations',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags: ['administration'],
          summary: 'Invite a staff member by email (the link works for 72 hours)',
          body: z.object({
            email: z.email('must be an email address').max(254, 'must be at most 254 characters'),
            name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
            role: Role,
          }),
          response: { 201: InvitationView, 409: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_ADMINS);
        const invitation = await inviteStaff(
          db,
          ctx.mail,
          actor,
          request.body,
          ctx.config.publicUrl,
          request.id,
        );
        return reply.code(201).send(invitation);
      },
    );

    app.delete(
      '/api/admin/invitations/:id',
      {
        schema: {
          tags: ['administration'],
          summary: 'Revoke a pending invitation',
          params: id,
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, ACCOUNT_ADMINS);
        await revokeInvitation(db, actor, request.params.id, request.id);
        return reply.code(204).send(null);
      },
    );

    const CompartmentView = z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      purpose: z.string(),
      members: z.number().int(),
      createdAt: z.string(),
    });
    const membership = z.object({
      id: RecordIdSchema,
      userId: RecordIdSchema,
    });

    app.get(
      '/api/admin/compartments',
      {
        schema: {
          tags: ['administration'],
          summary: 'Compartments (names and member counts; never their records)',
          response: { 200: z.object({ compartments: z.array(CompartmentView) }) },
        },
      },
      async (request) => {
        await requireStaff(ctx.access, request, COMPARTMENT_KEEPERS);
        return { compartments: await listCompartments(db) };
      },
    );

    app.post(
      '/api/admin/compartments',
      {
        schema: {
          tags: ['administration'],
          summary: 'Create a compartment',
          body: z.object({
            code: z
              .string()
              .regex(
                /^[A-Z][A-Z0-9-]{2,39}$/,
                'must be 3–40 capital letters, digits or hyphens, e.g. LABS-INFO',
              ),
            name: z.string().trim().min(1, 'is required').max(120, 'must be at most 120 characters'),
            purpose: z.string().trim().max(500, 'must be at most 500 characters').optional(),
          }),
          response: { 201: CompartmentView, 409: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, COMPARTMENT_KEEPERS);
        return reply.code(201).send(await createCompartment(db, actor, request.body, request.id));
      },
    );

    app.get(
      '/api/admin/compartments/:id/members',
      {
        schema: {
          tags: ['administration'],
          summary: 'Members of a compartment',
          params: id,
          response: {
            200: z.object({
              members: z.array(
                z.object({ userId: z.string(), name: z.string(), role: z.string(), grantedAt: z.string() }),
              ),
            }),
            404: ErrorSchema,
          },
        },
      },
      async (request) => {
        await requireStaff(ctx.access, request, COMPARTMENT_KEEPERS);
        return { members: await listMembers(db, request.params.id) };
      },
    );

    app.put(
      '/api/admin/compartments/:id/members/:userId',
      {
        schema: {
          tags: ['administration'],
          summary: 'Grant a staff member into a compartment (audited)',
          params: membership,
          response: { 204: z.null(), 404: ErrorSchema, 409: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, COMPARTMENT_KEEPERS);
        await grantMembership(db, actor, request.params.id, request.params.userId, request.id);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/api/admin/compartments/:id/members/:userId',
      {
        schema: {
          tags: ['administration'],
          summary: 'Revoke a compartment membership (audited)',
          params: membership,
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request, COMPARTMENT_KEEPERS);
        await revokeMembership(db, actor, request.params.id, request.params.userId, request.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/audit',
      {
        config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
        schema: {
          tags: ['administration'],
          summary: 'Search the audit log, newest first',
          // The service's own filter schema, so whatever it would refuse is refused here, by name, with a 400.
          querystring: AuditSearchSchema.extend({
            from: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }).optional(),
            to: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }).optional(),
          }),
          response: {
            200: z.object({
              entries: z.array(
                z.object({
                  seq: z.number().int(),
                  at: z.string(),
                  actorId: z.string().nullable(),
                  actorRole: z.string().nullable(),
                  action: z.string(),
                  resourceType: z.string(),
                  resourceCode: z.string().nullable(),
                  outcome: z.string(),
                  requestId: z.string().nullable(),
                }),
              ),
              nextBeforeSeq: z.number().int().nullable(),
            }),
          },
        },
      },
      async (request) => {
        await requireStaff(ctx.access, request, AUDIT_READERS);
        const page = await searchAudit(db, request.query);
        return {
          entries: page.entries.map((e) => ({
            seq: Number(e.seq),
            at: e.at.toISOString(),
            actorId: e.actorId,
            actorRole: e.actorRole,
            action: e.action,
            resourceType: e.resourceType,
            resourceCode: e.resourceCode,
            outcome: e.outcome,
            requestId: e.requestId,
          })),
          nextBeforeSeq: page.nextBeforeSeq,
        };
      },
    );
  };
