/**
 * # The authorisation matrix
 *
 * Every route Passage registers, and what every kind of caller must get from it (SECURITY.md, "How we
 * prove it"). `test/authorization-matrix.test.ts` lists the routes of a real app and fails when a route has
 * no entry here, when an entry names a route that no longer exists, or when any caller gets another outcome.
 *
 * ## Adding your module's routes
 *
 * Add one entry per route, keyed `'METHOD /url/:param'` exactly as you registered it:
 *
 * ```ts
 * 'GET /api/rescues/:id': {
 *   expect: staffOnly(['rescue_coordinator', 'field_partner']),
 *   compartment: {                       // the record lives in a compartment: membership matters
 *     prepare: async ({ ctx, compartmentId }) => ({ id: await buildRescueCase(ctx, compartmentId) }),
 *     outsider: 404,                     // what a caller with the role but not in the compartment gets
 *   },
 * },
 * 'POST /api/rescues': {
 *   expect: staffOnly(['rescue_coordinator']),
 *   request: ({ unique }) => ({ body: { codeName: `ORCHID-${unique}` } }),
 * },
 * ```
 *
 * Outcomes: `'allow'` (the guard let the caller through: 2xx, or a 4xx that is not 401/403, such as 404 for
 * a dummy id or 409), `401`, `403`, `404` (exactly that status). Helpers build the usual rows:
 * `publicRoute()`, `signedIn()`, `staffOnly(roles)`, `staffOnly('all')`, and `rowWith(base, overrides)`.
 *
 * Requests: params default to a dummy id (a random UUID) for every `:param`; give `request` a body (a
 * valid-looking one: a signed-in caller's request is validated before the route's role check, so an invalid
 * body would answer 400 instead of the 403 the row expects), a query, or other params. A stranger never
 * reaches validation: every /api route not marked `config: { public: true }` answers a caller without a
 * session or API token 401 first (`app.ts`), and the test sends every row whose anonymous outcome is 401 an
 * invalid request too, which must still answer 401. `request` receives the caller (its password and authenticator secret, for
 * routes that ask for them again) and a string unique to the call. For a call that ends the caller's
 * session or account, set `fresh: 'session'` or `fresh: 'account'`: the test makes a new one for it.
 *
 * Compartments: with `compartment`, the test runs the route twice for every staff caller: once on a record
 * prepared in a compartment every actor is a member of (expecting `expect`), and once on a record in a
 * compartment no actor belongs to (expecting `outsider` for the roles `expect` allows; others keep theirs).
 */

import crypto from 'node:crypto';
import { markPartnerCompromised } from '../src/modules/rescues/alert.service';
import { runScoped } from '../src/modules/rescues/rescue-access';
import { openRescueCase } from '../src/modules/rescues/rescue-case.service';
import { compartmentMembers } from '../src/platform/access/compartment.table';
import type { Subject } from '../src/platform/access/policy';
import { S4_ROLES, STAFF_ROLES, type StaffRole } from '../src/platform/access/roles';
import type { AppContext } from '../src/platform/http/context';
import { CALLERS, type Caller, createAccount, type TestActor } from './harness/actors';
import { totpCode } from './harness/app';

export type Outcome = 'allow' | 401 | 403 | 404;
export type Row = Record<Caller, Outcome>;

export interface RequestInput {
  caller: TestActor;
  /** Unique to this call (for emails, codes and names that must not clash). */
  unique: string;
  /** From `compartment.prepare`, when the route has one. */
  prepared?: Record<string, string>;
}

export interface RequestSpec {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface MatrixEntry {
  expect: Row;
  request?: (input: RequestInput) => RequestSpec;
  /** The call ends the caller's session (`session`) or freezes its account (`account`). */
  fresh?: 'session' | 'account';
  /** The record is in a compartment; membership must matter. */
  compartment?: {
    prepare(input: { ctx: AppContext; compartmentId: string }): Promise<Record<string, string>>;
    /** What a caller whose role is allowed gets on a record of a compartment it is not a member of. */
    outsider: 403 | 404;
  };
  /** Registered only when the web shell is served (not in API-only test apps). */
  webOnly?: boolean;
  /** Why the row looks as it does, where that is not obvious. */
  why?: string;
  /**
   * Further calls of the same route, each with its own row: another query or body (a `?format=csv`), and
   * with `stepUp: 'stale'` from a second session of each caller whose step-up ran out (the actors' own
   * sessions stepped up when they signed in with their code).
   */
  also?: MatrixVariant[];
}

export interface MatrixVariant {
  label: string;
  expect: Row;
  request?: (input: RequestInput) => RequestSpec;
  stepUp?: 'stale';
}

function row(each: (caller: Caller) => Outcome): Row {
  return Object.fromEntries(CALLERS.map((c) => [c, each(c)])) as Row;
}

/** Anyone, signed in or not. */
export const publicRoute = (): Row => row(() => 'allow');
/** Any signed-in account, supporters and staff without a second factor included. */
export const signedIn = (): Row => row((c) => (c === 'anonymous' ? 401 : 'allow'));
/** Staff with a second factor, of the given roles (or all). */
export function staffOnly(roles: readonly StaffRole[] | 'all'): Row {
  const allowed = new Set<string>(roles === 'all' ? STAFF_ROLES : roles);
  return row((c) => (c === 'anonymous' ? 401 : allowed.has(c) ? 'allow' : 403));
}
export const rowWith = (base: Row, overrides: Partial<Row>): Row => ({ ...base, ...overrides });
/** The roles of `base` that would be allowed are refused with a 403 (step_up_required) instead. */
export const stepUpRefused = (base: Row): Row => row((c) => (base[c] === 'allow' ? 403 : base[c]));

/**
 * A list whose `?format=csv` names people: the file needs a fresh step-up (SECURITY.md, "exporting"), so
 * the list's own roles get it within the window and a 403 step_up_required after it.
 */
function personExport(expect: Row, query: Record<string, string> = {}): MatrixVariant[] {
  const csv = () => ({ query: { ...query, format: 'csv' } });
  return [
    { label: 'CSV, stepped up', expect, request: csv },
    { label: 'CSV, step-up ran out', expect: stepUpRefused(expect), request: csv, stepUp: 'stale' },
  ];
}
/** An aggregate CSV (no person in it): the list's own roles, stepped up or not. */
function aggregateExport(expect: Row, query: Record<string, string> = {}): MatrixVariant[] {
  const csv = () => ({ query: { ...query, format: 'csv' } });
  return [{ label: 'CSV, step-up ran out', expect, request: csv, stepUp: 'stale' }];
}

const ACCOUNT_ADMINS = ['administrator'] as const;
const ACCOUNT_GUARDS = ['administrator', 'security_lead'] as const;
const COMPARTMENT_KEEPERS = ['administrator', 'security_lead'] as const;
const AUDIT_READERS = ['auditor', 'security_lead'] as const;
const OUTBOX_READERS = ['administrator'] as const;

const someone = (unique: string) => `nobody-${unique}@example.org`;

// ── people and giving: S2 donor data, for the development team (administrators read) ──
const SUPPORTER_READERS = ['development', 'administrator'] as const;
const SUPPORTER_WRITERS = ['development'] as const;
/** The donor portal: supporter accounts only; every staff role (and an unenrolled one) is refused. */
const DONOR_ONLY: Row = rowWith(staffOnly([]), { supporter: 'allow' });

// ── rescues ──
const RESCUE_PLANNERS = ['rescue_coordinator'] as const;
const RESCUE_LEADS = ['rescue_coordinator', 'security_lead'] as const;
const CASE_READERS = ['rescue_coordinator', 'security_lead', 'resettlement_worker'] as const;

/** A rescue case opened straight through the service, in the given compartment. */
async function buildRescueCase(ctx: AppContext, compartmentId: string): Promise<string> {
  const subject: Subject = {
    userId: 'matrix',
    role: 'rescue_coordinator',
    compartments: new Set([compartmentId]),
    stepUpAt: null,
  };
  const { code } = await runScoped(
    ctx.database.db,
    { keys: ctx.keys, mail: ctx.mail, subject, requestId: null },
    (rc) => openRescueCase(rc, { compartmentId, travellers: [matrixTraveller] }),
  );
  return code;
}
const matrixTraveller = {
  category: 'adult',
  sex: 'female',
  ageBand: '30_44',
  travellingWithFamily: 'no',
  reunifyingWithFamily: 'no',
  traffickedInChina: 'no',
  yearsInChina: 3,
  healthNeeds: 'no',
} as const;
/**
 * A route on a field partner: the partner is a member of the prepared compartment only, so a caller outside
 * it gets 404, exactly as for an unknown id (a random id is the default for everyone else).
 */
const fieldPartner = (
  roles: readonly StaffRole[],
  then?: (input: { ctx: AppContext; compartmentId: string; userId: string }) => Promise<void>,
): MatrixEntry => ({
  expect: staffOnly(roles),
  compartment: {
    prepare: async ({ ctx, compartmentId }) => {
      const { userId } = await createAccount(ctx, { role: 'field_partner', totp: false });
      await ctx.database.db.insert(compartmentMembers).values({ compartmentId, userId, grantedBy: 'matrix' });
      await then?.({ ctx, compartmentId, userId });
      return { userId };
    },
    outsider: 404,
  },
  why: "a partner outside the caller's compartments answers like an unknown id",
});

/** A route on a case: a member may get what its role allows; a caller outside gets 404 (no existence). */
const rescueCase = (roles: readonly StaffRole[], request?: MatrixEntry['request']): MatrixEntry => ({
  expect: staffOnly(roles),
  compartment: {
    prepare: async ({ ctx, compartmentId }) => ({ code: await buildRescueCase(ctx, compartmentId) }),
    outsider: 404,
  },
  ...(request ? { request } : {}),
});

export const AUTHORIZATION_MATRIX: Record<string, MatrixEntry> = {
  // ── operations ────────────────────────────────────────────────────────────────────────────────────
  'GET /healthz': { expect: publicRoute() },
  'GET /readyz': { expect: publicRoute() },
  'GET /api/openapi.json': {
    expect: staffOnly('all'),
    why: 'the API description names every route, administration, burn and audit included: staff only',
  },
  'GET /*': { expect: publicRoute(), webOnly: true, why: 'the web shell; every page asks the API' },

  // ── better-auth endpoints (AUTH_ENDPOINTS) ────────────────────────────────────────────────────────
  'POST /api/auth/sign-in/email': {
    expect: publicRoute(),
    request: () => ({ body: { email: 'not an email', password: 'x' } }),
    why: 'a sign-in form: anyone may try; a malformed body is refused, not the caller',
  },
  'POST /api/auth/sign-out': { expect: publicRoute(), fresh: 'session' },
  'POST /api/auth/two-factor/enable': {
    expect: signedIn(),
    request: () => ({ body: { password: 'wrong-password-for-the-matrix' } }),
  },
  'POST /api/auth/two-factor/verify-totp': {
    expect: signedIn(),
    why: 'also the second step of a sign-in: open to a caller holding better-auth’s two-factor cookie',
    request: ({ caller }) => ({ body: { code: caller.totpSecret ? totpCode(caller.totpSecret) : '000000' } }),
    fresh: 'session',
  },
  'POST /api/auth/two-factor/verify-backup-code': {
    expect: signedIn(),
    request: ({ caller }) => ({ body: { code: caller.recoveryCodes[0] ?? 'XXXXX-XXXXXXX' } }),
    fresh: 'session',
    why: 'a wrong code answers 401 like a refusal would, so callers with codes send a real one',
  },
  'POST /api/auth/two-factor/generate-backup-codes': {
    expect: signedIn(),
    request: () => ({ body: { password: 'wrong-password-for-the-matrix' } }),
  },
  'GET /api/auth/passkey/generate-register-options': { expect: signedIn() },
  'POST /api/auth/passkey/verify-registration': {
    expect: signedIn(),
    request: () => ({ body: { response: {} } }),
  },
  'GET /api/auth/passkey/generate-authenticate-options': { expect: publicRoute() },
  'POST /api/auth/passkey/verify-authentication': {
    expect: publicRoute(),
    request: () => ({ body: { response: {} } }),
  },
  'POST /api/auth/sign-in/magic-link': {
    expect: publicRoute(),
    request: ({ unique }) => ({ body: { email: someone(unique) } }),
  },
  'GET /api/auth/magic-link/verify': {
    expect: publicRoute(),
    request: () => ({ query: { token: 'not-a-real-token' } }),
  },

  // ── setup, session, invitations (public by design) ────────────────────────────────────────────────
  'GET /api/setup': { expect: publicRoute() },
  'POST /api/setup': {
    expect: publicRoute(),
    request: ({ unique }) => ({
      body: {
        token: 'not-a-real-setup-token',
        name: 'Someone',
        email: someone(unique),
        password: 'x'.repeat(16),
      },
    }),
    why: 'the one-time setup link is the credential; without it the answer is 410',
  },
  'GET /api/session': { expect: publicRoute(), why: 'answers null when signed out' },
  'POST /api/invitations/lookup': {
    expect: publicRoute(),
    request: () => ({ body: { token: 'not-a-real-invitation-token' } }),
  },
  'POST /api/invitations/accept': {
    expect: publicRoute(),
    request: () => ({ body: { token: 'not-a-real-invitation-token', password: 'x'.repeat(16) } }),
  },

  // ── my account ────────────────────────────────────────────────────────────────────────────────────
  'GET /api/me/security': { expect: signedIn() },
  'DELETE /api/me/sessions/:id': { expect: signedIn() },
  'DELETE /api/me/passkeys/:id': { expect: signedIn() },
  'POST /api/me/step-up': {
    expect: rowWith(signedIn(), { supporter: 401, unenrolled: 401 }),
    why: 'without an authenticator app re-authentication cannot succeed: 401, and nothing is stepped up',
    request: ({ caller }) => ({
      body: {
        password: caller.password ?? 'not-signed-in',
        code: caller.totpSecret ? totpCode(caller.totpSecret) : '000000',
      },
    }),
  },
  'POST /api/me/burn': {
    expect: signedIn(),
    request: () => ({ body: { confirm: 'BURN' } }),
    fresh: 'account',
  },
  'GET /api/me/tokens': { expect: staffOnly('all') },
  'POST /api/me/tokens': {
    expect: staffOnly(STAFF_ROLES.filter((r) => !S4_ROLES.includes(r))),
    request: ({ unique }) => ({ body: { name: `matrix ${unique}`, days: 1, scopes: ['me'] } }),
    why: 'needs a fresh step-up; roles that read S4 data only once an administrator allows it (none here)',
    also: [
      {
        label: 'step-up ran out',
        expect: staffOnly([]),
        request: ({ unique }) => ({ body: { name: `matrix ${unique}`, days: 1, scopes: ['me'] } }),
        stepUp: 'stale',
      },
    ],
  },
  'DELETE /api/me/tokens/:id': { expect: staffOnly('all') },
  'GET /api/me/compartments': { expect: staffOnly('all'), why: 'each caller sees its own memberships only' },

  // ── administration ────────────────────────────────────────────────────────────────────────────────
  'GET /api/admin/staff': { expect: staffOnly(ACCOUNT_GUARDS) },
  'PATCH /api/admin/staff/:id': {
    expect: staffOnly(ACCOUNT_ADMINS),
    request: () => ({ body: { role: 'auditor' } }),
  },
  'POST /api/admin/staff/:id/burn': { expect: staffOnly(ACCOUNT_GUARDS) },
  'POST /api/admin/staff/:id/unlock': {
    expect: staffOnly(ACCOUNT_GUARDS),
    why: 'unlocks an account locked by failed sign-ins (audited)',
  },
  'PUT /api/admin/staff/:id/api-tokens': {
    expect: staffOnly(ACCOUNT_ADMINS),
    request: () => ({ body: { allowed: true } }),
    why: 'an administrator allows API tokens for an account of a role that reads S4 data (audited)',
  },
  'GET /api/admin/api-tokens': { expect: staffOnly(ACCOUNT_GUARDS), why: 'every token, never a secret' },
  'DELETE /api/admin/api-tokens/:id': { expect: staffOnly(ACCOUNT_GUARDS) },
  'POST /api/admin/staff/:id/re-enrolment': { expect: staffOnly(ACCOUNT_GUARDS) },
  'GET /api/admin/invitations': { expect: staffOnly(ACCOUNT_ADMINS) },
  'POST /api/admin/invitations': {
    expect: staffOnly(ACCOUNT_ADMINS),
    request: ({ unique }) => ({ body: { email: someone(unique), name: 'Invitee', role: 'outreach' } }),
  },
  'DELETE /api/admin/invitations/:id': { expect: staffOnly(ACCOUNT_ADMINS) },
  'GET /api/admin/compartments': { expect: staffOnly(COMPARTMENT_KEEPERS) },
  'POST /api/admin/compartments': {
    expect: staffOnly(COMPARTMENT_KEEPERS),
    request: ({ unique }) => ({ body: { code: `MTX-${unique.toUpperCase()}`, name: 'Matrix' } }),
  },
  'GET /api/admin/compartments/:id/members': { expect: staffOnly(COMPARTMENT_KEEPERS) },
  'PUT /api/admin/compartments/:id/members/:userId': { expect: staffOnly(COMPARTMENT_KEEPERS) },
  'DELETE /api/admin/compartments/:id/members/:userId': { expect: staffOnly(COMPARTMENT_KEEPERS) },
  'GET /api/audit': { expect: staffOnly(AUDIT_READERS) },

  // ── rescues (src/modules/rescues/rescue.policy.ts) ─────────────────────────────────────────────────
  'GET /api/rescues': {
    expect: staffOnly(CASE_READERS),
    why: "only cases of the caller's compartments; every other role is refused outright",
  },
  'POST /api/rescues': {
    expect: staffOnly(RESCUE_PLANNERS),
    request: () => ({ body: { compartmentId: 'not-a-compartment', travellers: [matrixTraveller] } }),
    why: 'coordinators get a 400 for a compartment they are not in; other roles are refused first',
  },
  'GET /api/rescues/dashboard': { expect: staffOnly(RESCUE_LEADS) },
  'GET /api/rescues/alerts': { expect: staffOnly(RESCUE_LEADS) },
  'POST /api/rescues/alerts/:id/acknowledge': { expect: staffOnly(RESCUE_PLANNERS) },
  'GET /api/rescues/route-templates': {
    expect: staffOnly(RESCUE_PLANNERS),
    why: 'templates name crossings and budgets: for those who plan rescues',
  },
  'POST /api/rescues/route-templates': {
    expect: staffOnly(RESCUE_PLANNERS),
    request: ({ unique }) => ({
      body: {
        name: `Matrix ${unique}`,
        currency: 'USD',
        legs: [{ kind: 'transit', from: 'Jilin', to: 'Kunming', days: 2, budgetMinor: 100 }],
      },
    }),
  },
  'GET /api/rescues/partners': {
    expect: staffOnly(RESCUE_PLANNERS),
    why: "field partners of the caller's compartments, for assigning legs",
  },
  'POST /api/rescues/partners/:userId/compromised': fieldPartner(RESCUE_LEADS),
  'POST /api/rescues/partners/:userId/compromised/clear': {
    // Each call clears a partner flagged for it.
    ...fieldPartner(['security_lead'], async ({ ctx, compartmentId, userId }) => {
      const subject: Subject = {
        userId: 'matrix',
        role: 'rescue_coordinator',
        compartments: new Set([compartmentId]),
        stepUpAt: null,
      };
      await runScoped(ctx.database.db, { keys: ctx.keys, mail: ctx.mail, subject, requestId: null }, (rc) =>
        markPartnerCompromised(rc, userId),
      );
    }),
    request: () => ({ body: { reason: 'verified_safe' } }),
    why: 'clearing a compromised flag is a reviewed decision: security leads of a compartment the partner is in',
  },
  'GET /api/rescues/:code': rescueCase(CASE_READERS),
  'POST /api/rescues/:code/reveal': {
    ...rescueCase(RESCUE_PLANNERS),
    why: 'a sign-in with an authenticator code counts as a step-up for five minutes',
  },
  'POST /api/rescues/:code/travellers': rescueCase(RESCUE_PLANNERS, () => ({ body: matrixTraveller })),
  'PATCH /api/rescues/:code/travellers/:position/identity': rescueCase(RESCUE_PLANNERS, () => ({
    params: { position: '1' },
    body: { healthNotes: null },
  })),
  'PUT /api/rescues/:code/travellers/:position/photo': rescueCase(RESCUE_PLANNERS, () => ({
    params: { position: '1' },
    body: { dataBase64: 'AAAA' },
  })),
  'GET /api/rescues/:code/travellers/:position/photo': rescueCase(RESCUE_PLANNERS, () => ({
    params: { position: '1' },
  })),
  'POST /api/rescues/:code/status': rescueCase(RESCUE_PLANNERS, () => ({ body: { to: 'paused' } })),
  'POST /api/rescues/:code/handover': rescueCase(RESCUE_PLANNERS),
  'POST /api/rescues/:code/retention': rescueCase(RESCUE_LEADS, () => ({
    body: { days: 5, reason: 'matrix check' },
  })),
  'POST /api/rescues/:code/legs': rescueCase(RESCUE_PLANNERS, () => ({
    body: { kind: 'transit', fromPlace: 'Jilin', toPlace: 'Kunming' },
  })),
  'PATCH /api/rescues/:code/legs/:legId': rescueCase(RESCUE_PLANNERS, () => ({ body: { budgetMinor: 1 } })),
  'POST /api/rescues/:code/legs/:legId/compromised': rescueCase(RESCUE_LEADS),
  'POST /api/rescues/:code/incidents': rescueCase(RESCUE_PLANNERS, () => ({
    body: { kind: 'illness', severity: 'low' },
  })),
  'POST /api/rescues/:code/incidents/:incidentId/follow-ups': rescueCase(RESCUE_PLANNERS, () => ({
    body: { status: 'resolved' },
  })),
  'POST /api/rescues/:code/costs': rescueCase(RESCUE_PLANNERS, () => ({
    body: { category: 'food', amountMinor: 100, currency: 'USD', spentOn: '2031-01-01T00:00:00Z' },
  })),
  'GET /api/field/legs': {
    expect: staffOnly(['rescue_coordinator', 'field_partner']),
    why: 'answers only the legs assigned to the caller; roles that never run legs are refused',
  },
  'POST /api/field/legs/:legId/report': {
    expect: staffOnly(['rescue_coordinator', 'field_partner']),
    request: () => ({ body: { kind: 'check_in' } }),
    why: 'a partner on a leg not assigned to them is refused (src/modules/rescues/rescues.access.test.ts)',
  },

  // ── people (src/modules/people/people.policy.ts) ──────────────────────────────────────────────────
  'GET /api/people': {
    expect: staffOnly(SUPPORTER_READERS),
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  'POST /api/people': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: ({ unique }) => ({ body: { kind: 'individual', firstName: 'Matrix', lastName: unique } }),
  },
  'GET /api/people/duplicates': { expect: staffOnly(SUPPORTER_READERS) },
  'GET /api/people/:id': { expect: staffOnly(SUPPORTER_READERS) },
  'GET /api/people/:id/timeline': { expect: staffOnly(SUPPORTER_READERS) },
  'GET /api/people/:id/summary': { expect: staffOnly(SUPPORTER_READERS) },
  'PATCH /api/people/:id': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { postcode: '10001' } }),
  },
  'POST /api/people/:id/consents': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { channel: 'email', granted: true, method: 'staff' } }),
  },
  'POST /api/people/:id/tags': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { tag: 'matrix' } }),
  },
  'DELETE /api/people/:id/tags/:tag': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ params: { id: crypto.randomUUID(), tag: 'matrix' } }),
  },
  'POST /api/people/:id/notes': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { body: 'A note' } }),
  },
  'POST /api/people/:id/merge': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { survivorId: crypto.randomUUID() } }),
  },

  // ── giving (src/modules/giving/giving.policy.ts) ──────────────────────────────────────────────────
  'POST /api/giving/donations': {
    expect: publicRoute(),
    request: ({ unique }) => ({
      body: {
        provider: 'sandbox',
        amountMinor: 2_500,
        currency: 'USD',
        donor: { email: someone(unique), firstName: 'Matrix' },
        testCard: '4242 4242 4242 4242',
      },
    }),
    why: 'the public donate form; the card is typed at the processor (the sandbox takes test cards only)',
  },
  'GET /api/giving/campaigns/:code/progress': {
    expect: publicRoute(),
    why: 'aggregates only, for the public page and the progress widget',
  },
  'GET /api/giving/donate-options': {
    expect: publicRoute(),
    why: 'the donate page’s choices: the two donor funds, open campaigns (aggregates), the processor',
  },
  'GET /api/giving/donations/:id': {
    expect: publicRoute(),
    why: 'the thank-you page: amount, designation and state of an online gift by its unguessable id, for a day; never the donor',
  },
  'GET /widget/campaigns/:code': {
    expect: publicRoute(),
    why: 'the embeddable progress widget (framable by any site): aggregates only',
  },
  'GET /widget/campaigns/:code/progress.json': {
    expect: publicRoute(),
    why: 'the widget’s numbers for other sites (CORS open): aggregates only',
  },
  'POST /api/giving/webhooks/:provider': {
    expect: publicRoute(),
    request: () => ({
      params: { provider: 'sandbox' },
      body: { id: 'evt_matrix', type: 'payment.succeeded' },
    }),
    why: 'the processor calls it; the signature is the credential (an unsigned event answers 400)',
  },
  'GET /api/giving/funds': {
    expect: staffOnly(SUPPORTER_READERS),
    also: aggregateExport(staffOnly(SUPPORTER_READERS)),
    why: 'balances only: its CSV needs no step-up',
  },
  'POST /api/giving/funds': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: ({ unique }) => ({
      body: { code: `m-${unique.toLowerCase()}`, name: 'Matrix', restricted: false },
    }),
  },
  'GET /api/giving/campaigns': {
    expect: staffOnly(SUPPORTER_READERS),
    also: aggregateExport(staffOnly(SUPPORTER_READERS)),
    why: 'totals only: its CSV needs no step-up',
  },
  'POST /api/giving/campaigns': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: ({ unique }) => ({
      body: {
        code: `m-${unique.toLowerCase()}`,
        name: 'Matrix',
        goalKind: 'units',
        goalUnits: 1,
        currency: 'USD',
        fundId: crypto.randomUUID(),
        startsAt: '2026-01-01T00:00:00Z',
      },
    }),
  },
  'GET /api/giving/gifts': {
    expect: staffOnly(SUPPORTER_READERS),
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  'GET /api/giving/gifts/:id': { expect: staffOnly(SUPPORTER_READERS) },
  'GET /api/giving/gifts/:id/receipt.pdf': { expect: staffOnly(SUPPORTER_READERS) },
  'POST /api/giving/gifts/:id/refund': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: {} }),
  },
  'POST /api/giving/gifts/:id/correction': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { fund: 'most-needed' } }),
  },
  'POST /api/giving/batches': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { name: 'Matrix', currency: 'USD', controlTotalMinor: 100 } }),
  },
  'GET /api/giving/batches/:id': { expect: staffOnly(SUPPORTER_READERS) },
  'POST /api/giving/batches/:id/gifts': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({
      body: {
        supporterId: crypto.randomUUID(),
        amountMinor: 100,
        method: 'cheque',
        fund: 'most-needed',
        receivedOn: '2026-01-01',
      },
    }),
  },
  'POST /api/giving/batches/:id/post': { expect: staffOnly(SUPPORTER_WRITERS) },
  'POST /api/giving/allocations': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { caseCode: 'QUIET-HERON-27', units: 1 } }),
    why: 'units go to a case by its code only; nothing of the case comes back',
  },
  'GET /api/giving/check': { expect: staffOnly(SUPPORTER_READERS) },
  // Reports (src/modules/giving/reports): aggregates for auditors too; lists that name donors not.
  'GET /api/giving/reports/totals': {
    expect: staffOnly([...SUPPORTER_READERS, 'auditor']),
    request: () => ({ query: { groupBy: 'fund' } }),
    also: aggregateExport(staffOnly([...SUPPORTER_READERS, 'auditor']), { groupBy: 'fund' }),
    why: 'aggregates only (no person): auditors check the money; its CSV needs no step-up',
  },
  'GET /api/giving/reports/retention': {
    expect: staffOnly([...SUPPORTER_READERS, 'auditor']),
    why: 'counts of donors per year, no names',
  },
  'GET /api/giving/reports/lybunt': {
    expect: staffOnly(SUPPORTER_READERS),
    why: 'names donors (audited); its CSV needs a fresh step-up',
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  'GET /api/giving/reports/sybunt': {
    expect: staffOnly(SUPPORTER_READERS),
    why: 'names donors (audited); its CSV needs a fresh step-up',
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  'GET /api/giving/reports/top-donors': {
    expect: staffOnly(SUPPORTER_READERS),
    why: 'names donors (audited); its CSV needs a fresh step-up',
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  // Year-end statements (src/modules/giving/statements).
  'GET /api/giving/statements/:year': {
    expect: staffOnly(SUPPORTER_READERS),
    request: () => ({ params: { year: '2024' } }),
  },
  'POST /api/giving/statements/:year/send': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ params: { year: '2024' } }),
    why: 'mails every donor of the year (audited)',
  },
  'GET /api/giving/supporters/:id/statements/:year.pdf': {
    expect: staffOnly(SUPPORTER_READERS),
    request: () => ({ params: { id: crypto.randomUUID(), year: '2024' } }),
  },
  'GET /api/giving/me/statements/:year.pdf': {
    expect: rowWith(staffOnly([]), { supporter: 'allow' }),
    request: () => ({ params: { year: '2024' } }),
    why: 'the donor’s own statement only (no gifts: 404)',
  },
  // The console's giving pages (giving-console.routes.ts).
  'GET /api/giving/batches': { expect: staffOnly(SUPPORTER_READERS) },
  'GET /api/giving/allocations': {
    expect: staffOnly(SUPPORTER_READERS),
    why: 'case codes and unit counts only: nothing else of a case',
  },
  // Monthly gifts (recurring.routes.ts): staff read them; development pauses or cancels (audited).
  'GET /api/giving/recurring': {
    expect: staffOnly(SUPPORTER_READERS),
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  'POST /api/giving/recurring/:id/pause': { expect: staffOnly(SUPPORTER_WRITERS) },
  'POST /api/giving/recurring/:id/cancel': { expect: staffOnly(SUPPORTER_WRITERS) },
  // The donor portal (portal.routes.ts): the signed-in supporter's own records only. Staff get 403
  // (they read donors in the console, never through a donor's portal); a supporter who gave nothing, or
  // asks for someone else's id, gets an empty list or 404/409.
  'GET /api/giving/me': { expect: DONOR_ONLY },
  'GET /api/giving/me/gifts': { expect: DONOR_ONLY },
  'GET /api/giving/me/gifts/:id/receipt.pdf': { expect: DONOR_ONLY, why: 'not their gift: 404' },
  'GET /api/giving/me/monthly': { expect: DONOR_ONLY },
  'POST /api/giving/me/monthly/:id/pause': { expect: DONOR_ONLY, why: 'not their monthly gift: 404' },
  'POST /api/giving/me/monthly/:id/resume': { expect: DONOR_ONLY, why: 'not their monthly gift: 404' },
  'POST /api/giving/me/monthly/:id/cancel': { expect: DONOR_ONLY, why: 'not their monthly gift: 404' },
  'POST /api/giving/me/monthly/:id/amount': {
    expect: DONOR_ONLY,
    request: () => ({ body: { amountMinor: 10_000 } }),
    why: 'not their monthly gift: 404',
  },
  'GET /api/giving/me/preferences': { expect: DONOR_ONLY },
  'POST /api/giving/me/preferences': {
    expect: DONOR_ONLY,
    request: () => ({ body: { channel: 'email', granted: false } }),
    why: 'a supporter with no record yet: 409',
  },
  // Sponsor and matching pledges (pledges/pledge.routes.ts): development writes (audited), administrators read.
  'GET /api/giving/pledges': {
    expect: staffOnly(SUPPORTER_READERS),
    also: personExport(staffOnly(SUPPORTER_READERS)),
  },
  'POST /api/giving/pledges': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({
      body: {
        kind: 'per_unit',
        sponsorId: crypto.randomUUID(),
        name: 'Views pledge',
        currency: 'USD',
        fund: 'most-needed',
        metric: 'video views',
        rateMinor: 25,
        startsAt: '2026-01-01',
      },
    }),
    why: 'an unknown sponsor: 400',
  },
  'GET /api/giving/pledges/:id': { expect: staffOnly(SUPPORTER_READERS) },
  'POST /api/giving/pledges/:id/readings': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { readOn: '2026-01-02', value: 100 } }),
  },
  'POST /api/giving/pledges/:id/readings/import': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { csv: 'date,value\n2026-01-02,100\n' } }),
  },
  'POST /api/giving/pledges/:id/invoices': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: {} }),
  },
  'POST /api/giving/pledge-invoices/:id/paid': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { receivedOn: '2026-01-05', method: 'wire' } }),
  },
  'POST /api/giving/pledge-invoices/:id/void': { expect: staffOnly(SUPPORTER_WRITERS) },
  'GET /api/giving/pledge-invoices/:id/invoice.pdf': { expect: staffOnly(SUPPORTER_READERS) },
  // The CSV import (import/gift-import.routes.ts): development imports, administrators read the runs.
  'POST /api/giving/imports': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: ({ unique }) => ({
      body: {
        fileName: `matrix-${unique}.csv`,
        csv: `Email,Total Amount,Receive Date\nm-${unique}@example.org,10,2024-01-01\n`,
      },
    }),
  },
  'POST /api/giving/imports/:id/commit': {
    expect: staffOnly(SUPPORTER_WRITERS),
    request: () => ({ body: { skipBadRows: false } }),
  },
  'GET /api/giving/imports/:id': { expect: staffOnly(SUPPORTER_READERS) },
  'GET /api/giving/imports': { expect: staffOnly(SUPPORTER_READERS) },

  // ── mail ──────────────────────────────────────────────────────────────────────────────────────────
  'GET /api/outbox': {
    expect: staffOnly(OUTBOX_READERS),
    why: 'every read is audited (outbox.list); one-time links are removed before a message is stored',
  },
  'GET /api/outbox/:id': {
    expect: staffOnly(OUTBOX_READERS),
    why: 'every read is audited (outbox.read); the body shown never holds a live sign-in or invitation link',
  },
  'POST /api/outbox/:id/reveal': {
    expect: staffOnly(OUTBOX_READERS),
    why: 'audited (outbox.reveal); only a held invitation the caller sent (a dummy id answers 404)',
  },
};
