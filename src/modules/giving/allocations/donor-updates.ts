import crypto from 'node:crypto';
import { and, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Mailer } from '../../../platform/mail/mailer';
import { getSupporterContact, hasConsent } from '../../people';
import { safetyReachedByCode } from '../../rescues';
import { campaigns, donorUpdates, gifts, unitAllocations } from '../giving.table';

/*
 * De-identified, delayed updates to the donors who funded rescues (SECURITY.md rule 10): "a rescue you
 * helped fund reached safety". What a donor learns is a count and a month, never a case code, a place, a
 * day or a person. The month reported is the month before last, so a note that arrives cannot date a
 * crossing that just happened (an update on 5 October speaks of August). Who "funded" a case: the donors
 * whose settled gifts to a campaign came before units of that campaign were given to the case.
 */

/** The campaign of a unit allocation, by code (400 when there is none: the allocation form's field). */
export async function allocationCampaignId(db: Db, code: string): Promise<string> {
  const [row] = await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.code, code));
  if (!row) throw AppError.invalid(`campaign: no campaign with the code ${code}`);
  return row.id;
}

/** The month an update run on `now` reports: the month before last, in UTC (`2026-10-05` → `2026-08`). */
export function reportedPeriod(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  return d.toISOString().slice(0, 7);
}

function monthName(period: string): string {
  return new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${period}-01T00:00:00Z`),
  );
}

/** The update's words: the count and the month, nothing that could point at a case. */
export function donorUpdateText(facts: { donorName: string; rescues: number; period: string }) {
  const month = monthName(facts.period);
  const what =
    facts.rescues === 1
      ? `A rescue you helped fund reached safety in ${month}.`
      : `${facts.rescues} rescues you helped fund reached safety in ${month}.`;
  return {
    subject:
      facts.rescues === 1
        ? 'A rescue you helped fund reached safety'
        : 'Rescues you helped fund reached safety',
    text: [
      `Dear ${facts.donorName},`,
      '',
      what,
      '',
      'To keep the people we help safe, we never say who they are, where they travelled or the day they arrived, and this note comes a month later than the news itself.',
      '',
      'Thank you for making it possible.',
      '',
      'With gratitude,',
      'Passage',
      '',
      'You receive this because you agreed to hear from us by email. Reply to this message to stop.',
    ].join('\n'),
  };
}

/**
 * The monthly run (job `giving.donor-updates`, day 5): for the month before last, the allocations whose
 * case reached safety in that month; their campaign's donors (settled gifts before the allocation) get ONE
 * email each for the month (`donor_updates` is unique per donor and month, so a second run sends nothing),
 * through the outbox, and only with their email consent granted (people's consent, checked now).
 */
export async function sendDonorUpdates(db: Db, mail: Mailer, now = new Date()) {
  const period = reportedPeriod(now);
  const allocations = await db
    .select({
      id: unitAllocations.id,
      caseCode: unitAllocations.caseCode,
      campaignId: unitAllocations.campaignId,
    })
    .from(unitAllocations)
    .where(isNotNull(unitAllocations.campaignId));
  const reached = await safetyReachedByCode(db, [...new Set(allocations.map((a) => a.caseCode))]);
  const safe = allocations.filter((a) => reached.get(a.caseCode) === period);
  if (safe.length === 0) return { period, rescues: 0, updates: 0 };

  // The donors of each safe case: settled gifts to the allocation's campaign made before it.
  const funded = await db
    .selectDistinct({ supporterId: gifts.supporterId, caseCode: unitAllocations.caseCode })
    .from(unitAllocations)
    .innerJoin(
      gifts,
      and(
        eq(gifts.campaignId, unitAllocations.campaignId),
        eq(gifts.status, 'settled'),
        lt(gifts.settledAt, unitAllocations.createdAt),
      ),
    )
    .where(
      inArray(
        unitAllocations.id,
        safe.map((a) => a.id),
      ),
    );
  const casesOf = new Map<string, Set<string>>();
  for (const f of funded) {
    const cases = casesOf.get(f.supporterId) ?? new Set<string>();
    cases.add(f.caseCode);
    casesOf.set(f.supporterId, cases);
  }

  let updates = 0;
  for (const [supporterId, cases] of [...casesOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const donor = await getSupporterContact(db, supporterId);
    if (!donor?.email || !(await hasConsent(db, donor.id, 'email'))) continue;
    const sent = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(donorUpdates)
        .values({ id: crypto.randomUUID(), supporterId: donor.id, period, rescues: cases.size })
        .onConflictDoNothing({ target: [donorUpdates.supporterId, donorUpdates.period] })
        .returning({ id: donorUpdates.id });
      if (!row) return false;
      const outboxId = await mail.enqueue(tx, {
        to: donor.email as string,
        ...donorUpdateText({ donorName: donor.displayName, rescues: cases.size, period }),
      });
      await tx.update(donorUpdates).set({ outboxId }).where(eq(donorUpdates.id, row.id));
      return true;
    });
    if (sent) updates++;
  }
  mail.deliverSoon();
  return { period, rescues: safe.length, updates };
}
