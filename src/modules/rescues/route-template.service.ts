// Route templates: the crossings and budgets a rescue usually takes, and a case's legs laid out from one.
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { OpenDataKey } from '../../platform/crypto/key-ring';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { sealLeg } from './leg-seal';
import { RESCUE_ACTIONS } from './rescue.policy';
import { RouteTemplateLeg } from './rescue.schema';
import { legs, routeTemplates } from './rescue.table';
import { type CaseRow, guard, type RescueContext } from './rescue-access';

const uuid = () => crypto.randomUUID();
const HOUR = 3_600_000;

/** Route templates name crossings and budgets: for those who plan rescues, like creating one. */
export async function listRouteTemplates(rc: RescueContext) {
  await guard(rc, RESCUE_ACTIONS.open, {
    type: 'route_template',
    compartmentId: [...rc.subject.compartments][0] ?? '-',
  });
  const rows = await rc.db.select().from(routeTemplates).orderBy(asc(routeTemplates.name));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    currency: r.currency,
    legs: RouteTemplateLeg.array().parse(JSON.parse(r.legs)),
  }));
}

export async function createRouteTemplate(
  rc: RescueContext,
  input: { name: string; currency: string; legs: RouteTemplateLeg[] },
) {
  await guard(rc, RESCUE_ACTIONS.open, {
    type: 'route_template',
    compartmentId: [...rc.subject.compartments][0] ?? '-',
  });
  const id = uuid();
  const [clash] = await rc.db
    .select({ id: routeTemplates.id })
    .from(routeTemplates)
    .where(eq(routeTemplates.name, input.name));
  if (clash) throw AppError.conflict('name: a route template with this name exists');
  await rc.db
    .insert(routeTemplates)
    .values({ id, name: input.name, currency: input.currency, legs: JSON.stringify(input.legs) });
  return { id };
}

/** Lays out a case's legs from a template, one after another from `start`. */
export async function planLegsFromTemplate(
  tx: Db,
  caseRow: Pick<CaseRow, 'id' | 'compartmentId'>,
  key: OpenDataKey,
  templateId: string,
  start: Date,
) {
  const [template] = await tx.select().from(routeTemplates).where(eq(routeTemplates.id, templateId));
  if (!template) throw AppError.invalid('routeTemplateId: no such route template');
  const steps = RouteTemplateLeg.array().parse(JSON.parse(template.legs));
  let at = start;
  const rows = steps.map((step, i) => {
    const end = new Date(at.getTime() + Math.max(step.days, 1) * 24 * HOUR);
    const id = uuid();
    // A template holds coarse places and no case (in the clear); laid out on a case, they become its route,
    // sealed under the case's key.
    const row: typeof legs.$inferInsert = {
      id,
      caseId: caseRow.id,
      compartmentId: caseRow.compartmentId,
      position: i + 1,
      kind: step.kind,
      ...sealLeg(key, id, { fromPlace: step.from, toPlace: step.to, plannedStart: at, plannedEnd: end }),
      status: 'planned',
      budgetMinor: step.budgetMinor,
      currency: template.currency,
    };
    at = end;
    return row;
  });
  if (rows.length) await tx.insert(legs).values(rows);
}
