/*
 * Test fixtures for the rescues module's tests (not loaded by the app): a test app with one compartment
 * the insiders belong to and one they do not, signed-in actors of every role that matters here, and
 * small builders for cases, travellers and legs through the real routes.
 */
import { eq } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import {
  ACTOR_PASSWORD,
  addToCompartment,
  as,
  createActor,
  createTestCompartment,
  type TestActor,
} from '../../../test/harness/actors';
import { startTestApp, type TestApp, totpCode } from '../../../test/harness/app';
import type { TestDatabase } from '../../../test/harness/databases';
import { sessions } from '../../platform/auth/auth.table';

export interface RescueWorld {
  t: TestApp;
  /** The compartment the insiders are members of, and one nobody here is a member of (but `other`). */
  inside: { id: string; code: string };
  outside: { id: string; code: string };
  coordinator: TestActor;
  securityLead: TestActor;
  resettlement: TestActor;
  partnerA: TestActor;
  partnerB: TestActor;
  /** An administrator who is a member of no compartment. */
  outsiderAdmin: TestActor;
  /** A rescue coordinator who is a member of `outside` only. */
  otherCoordinator: TestActor;
  /** A security lead who is a member of `outside` only. */
  otherLead: TestActor;
}

export async function rescueWorld(database: TestDatabase, app?: TestApp): Promise<RescueWorld> {
  const t = app ?? (await startTestApp(database));
  const db = t.ctx.database.db;
  const make = (role: Parameters<typeof createActor>[2]) => createActor(t.app, t.ctx, role);
  const [
    coordinator,
    securityLead,
    resettlement,
    partnerA,
    partnerB,
    outsiderAdmin,
    otherCoordinator,
    otherLead,
  ] = await Promise.all([
    make('rescue_coordinator'),
    make('security_lead'),
    make('resettlement_worker'),
    make('field_partner'),
    make('field_partner'),
    make('administrator'),
    make('rescue_coordinator'),
    make('security_lead'),
  ]);
  const inside = await createTestCompartment(db);
  const outside = await createTestCompartment(db);
  await addToCompartment(db, inside.id, coordinator, securityLead, resettlement, partnerA, partnerB);
  await addToCompartment(db, outside.id, otherCoordinator, otherLead);
  return {
    t,
    inside,
    outside,
    coordinator,
    securityLead,
    resettlement,
    partnerA,
    partnerB,
    outsiderAdmin,
    otherCoordinator,
    otherLead,
  };
}

/** One request as an actor; `body` is sent as JSON. */
export function call(
  t: TestApp,
  actor: TestActor,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return t.app.inject(as(actor, { method, url, ...(body !== undefined ? { payload: body as object } : {}) }));
}

const spentCodes = new Map<string, Set<string>>();

/**
 * POST /api/me/step-up with the actor's password and authenticator code. A code spent on a step-up is
 * refused for 90 s, so each call uses a code of the current, previous or next 30-second step not yet spent
 * by this actor (waiting for the next step when all three are).
 */
export async function stepUp(t: TestApp, actor: TestActor): Promise<void> {
  const spent = spentCodes.get(actor.userId ?? '') ?? new Set<string>();
  spentCodes.set(actor.userId ?? '', spent);
  let code: string | undefined;
  for (;;) {
    const now = Date.now();
    code = [now, now - 30_000, now + 30_000]
      .map((at) => totpCode(actor.totpSecret ?? '', at))
      .find((c) => !spent.has(c));
    if (code) break;
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (now % 30_000) + 50));
  }
  spent.add(code);
  const response = await call(t, actor, 'POST', '/api/me/step-up', {
    password: actor.password ?? ACTOR_PASSWORD,
    code,
  });
  expect(response.statusCode, response.body).toBe(200);
}

/**
 * Ends the step-up window of every session of the actor. A sign-in with an authenticator code counts as a
 * step-up for five minutes, so a test of "without a step-up" starts here.
 */
export async function endStepUp(t: TestApp, actor: TestActor): Promise<void> {
  await t.ctx.database.db
    .update(sessions)
    .set({ stepUpAt: null })
    .where(eq(sessions.userId, actor.userId ?? ''));
}

/** A valid traveller body; S4 fields are added by the caller. */
export function traveller(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: 'adult',
    sex: 'female',
    ageBand: '30_44',
    travellingWithFamily: 'no',
    reunifyingWithFamily: 'no',
    traffickedInChina: 'yes',
    yearsInChina: 6,
    healthNeeds: 'no',
    ...overrides,
  };
}

/** Opens a case through POST /api/rescues and answers its code. */
export async function openCase(
  t: TestApp,
  coordinator: TestActor,
  compartmentId: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const response = await call(t, coordinator, 'POST', '/api/rescues', {
    compartmentId,
    travellers: [traveller({ name: 'Test Person' })],
    ...body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { code: string }).code;
}

/** Adds a leg through the route and answers its id. */
export async function addLeg(
  t: TestApp,
  coordinator: TestActor,
  code: string,
  leg: Record<string, unknown> = {},
): Promise<string> {
  const response = await call(t, coordinator, 'POST', `/api/rescues/${code}/legs`, {
    kind: 'transit',
    fromPlace: 'Jilin',
    toPlace: 'Kunming',
    ...leg,
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

export const day = 86_400_000;
