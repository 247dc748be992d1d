import { and, desc, eq, inArray } from 'drizzle-orm';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { Actor } from '../../../platform/auth/actor';
import { users } from '../../../platform/auth/auth.table';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { type ConsentChannel, currentConsent, findSupporterByEmail, insertConsent } from '../../people';
import { funds, gifts, receipts } from '../giving.table';

/*
 * The donor portal's reads and the donor's own statements. The caller is a signed-in supporter account;
 * its supporter record is the live one whose email is the account's verified email (the magic link proved
 * it). Everything here is scoped to that one record: a donor sees only their own gifts, and another
 * donor's gift answers 404 as if it did not exist.
 */

export interface PortalDonor {
  supporterId: string;
  displayName: string;
  email: string;
}

/** The supporter record behind a signed-in supporter account, or null (none yet, or the email unverified). */
export async function portalDonor(
  db: Db,
  actor: Pick<Actor, 'userId' | 'email'>,
): Promise<PortalDonor | null> {
  const [account] = await db
    .select({ email: users.email, verified: users.emailVerified })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!account?.verified) return null;
  const supporter = await findSupporterByEmail(db, account.email);
  if (!supporter?.email) return null;
  return { supporterId: supporter.id, displayName: supporter.displayName, email: supporter.email };
}

/** A donor's gifts that counted (settled, or later refunded), newest first, each with its receipt. */
export async function myGifts(db: Db, supporterId: string, limit = 200) {
  const rows = await db
    .select({
      id: gifts.id,
      amountMinor: gifts.amountMinor,
      feeMinor: gifts.feeMinor,
      refundedMinor: gifts.refundedMinor,
      currency: gifts.currency,
      status: gifts.status,
      fundName: funds.name,
      monthly: gifts.recurringGiftId,
      tributeKind: gifts.tributeKind,
      tributeName: gifts.tributeName,
      settledAt: gifts.settledAt,
      receivedOn: gifts.receivedOn,
      createdAt: gifts.createdAt,
      receiptNumber: receipts.number,
    })
    .from(gifts)
    .leftJoin(funds, eq(funds.id, gifts.fundId))
    .leftJoin(receipts, eq(receipts.giftId, gifts.id))
    .where(and(eq(gifts.supporterId, supporterId), inArray(gifts.status, ['settled', 'refunded'])))
    .orderBy(desc(gifts.settledAt), desc(gifts.createdAt), desc(gifts.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    amountMinor: r.amountMinor + r.feeMinor,
    refundedMinor: r.refundedMinor,
    currency: r.currency,
    status: r.status as 'settled' | 'refunded',
    fundName: r.fundName,
    monthly: r.monthly !== null,
    tribute: r.tributeKind && r.tributeName ? { kind: r.tributeKind, name: r.tributeName } : null,
    /** The day the money came (an offline gift's received date, else its settlement). */
    givenOn: (r.receivedOn ?? r.settledAt ?? r.createdAt).toISOString(),
    receipt: r.receiptNumber ? { number: r.receiptNumber } : null,
  }));
}

export async function myPreferences(db: Db, supporterId: string) {
  return currentConsent(db, supporterId);
}

/**
 * The donor's own statement about a channel: a new consent row (never an update), recorded as stated
 * through the portal, and audited. Stating what is already the current statement records nothing.
 */
export async function setMyPreference(
  db: Db,
  donor: PortalDonor,
  input: { channel: ConsentChannel; granted: boolean },
  actor: { userId: string; role: string; requestId: string | null },
) {
  const current = (await currentConsent(db, donor.supporterId))[input.channel];
  if (current.status !== (input.granted ? 'granted' : 'withdrawn')) {
    await insertConsent(
      db,
      donor.supporterId,
      { channel: input.channel, granted: input.granted, method: 'donor_portal' },
      actor.userId,
    );
    await appendAudit(db, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: input.granted ? 'supporter.consent_granted' : 'supporter.consent_withdrawn',
      resourceType: 'supporter',
      resourceCode: donor.supporterId,
      outcome: 'succeeded',
      requestId: actor.requestId,
    });
  }
  return currentConsent(db, donor.supporterId);
}

export function noDonorRecord(): never {
  throw AppError.conflict(
    'We have no gifts or preferences under your email address yet: give once with this address, or write to us.',
  );
}
