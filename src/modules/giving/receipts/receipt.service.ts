import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Mailer } from '../../../platform/mail/mailer';
import { getSupporterContact } from '../../people';
import { allow, type GiftRow, type GivingContext, giftTotal } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import { funds, gifts, receipts } from '../giving.table';
import { splitFundNames } from '../ledger/gift-splits';
import type { GivingCurrency } from '../money';
import { type ReceiptFacts, receiptText } from './receipt';
import { donorAddressLine } from './receipt-kr';
import { receiptPdf } from './receipt-pdf';

// The receipt a settlement issues (`issueReceipt`, in the settlement's transaction: ledger.service.ts), and its
// PDF for staff and for the donor portal.

export async function receiptFacts(db: Db, gift: GiftRow, number: string, issuedOn?: Date) {
  const donor = await getSupporterContact(db, gift.supporterId);
  const [fund] = await db.select({ name: funds.name }).from(funds).where(eq(funds.id, gift.fundId));
  const facts: ReceiptFacts = {
    number,
    donorName: donor?.displayName ?? 'friend',
    amountMinor: giftTotal(gift),
    currency: gift.currency as GivingCurrency,
    fairMarketValueMinor: gift.fairMarketValueMinor,
    fundName: (await splitFundNames(db, gift.id)) ?? fund?.name ?? 'our work',
    receivedOn: gift.receivedOn ?? gift.settledAt ?? new Date(),
    tribute: gift.tributeKind && gift.tributeName ? { kind: gift.tributeKind, name: gift.tributeName } : null,
    method: gift.method,
    // The Korean donation receipt prints the donor's address.
    ...(gift.currency === 'KRW' ? { donorAddress: await donorAddressLine(db, gift.supporterId) } : {}),
    ...(issuedOn ? { issuedOn } : {}),
  };
  return { facts, email: donor?.email ?? null };
}

/** A receipt's printed number: the settlement's year and the gift id's first eight digits (the import uses it too). */
export function receiptNumber(gift: Pick<GiftRow, 'id' | 'settledAt'>): string {
  return `R-${(gift.settledAt ?? new Date()).getUTCFullYear()}-${gift.id.slice(0, 8).toUpperCase()}`;
}

export async function issueReceipt(tx: Db, mail: Mailer | null, gift: GiftRow) {
  const number = receiptNumber(gift);
  const { facts, email } = await receiptFacts(tx, gift, number);
  const outboxId = email && mail ? await mail.enqueue(tx, { to: email, ...receiptText(facts) }) : null;
  await tx
    .insert(receipts)
    .values({
      id: crypto.randomUUID(),
      giftId: gift.id,
      number,
      amountMinor: giftTotal(gift),
      currency: gift.currency,
      outboxId,
    })
    .onConflictDoNothing();
}

/** The PDF of a gift's receipt, for staff to print or send (only a settled gift has one). */
export async function receiptPdfForGift(gc: GivingContext, giftId: string) {
  allow(gc, GIVING_ACTIONS.read);
  const [gift] = await gc.db.select().from(gifts).where(eq(gifts.id, giftId));
  const [receipt] = gift ? await gc.db.select().from(receipts).where(eq(receipts.giftId, giftId)) : [];
  if (!gift || !receipt) throw AppError.notFound('No receipt for this gift.');
  const { facts } = await receiptFacts(gc.db, gift, receipt.number, receipt.issuedAt);
  return { number: receipt.number, pdf: await receiptPdf(facts) };
}

/**
 * The PDF of a supporter's own receipt, for the donor portal: the gift must be theirs (otherwise, as for a
 * gift without a receipt, 404: a donor cannot tell someone else's gift exists). No staff access check.
 */
export async function receiptPdfForSupporter(db: Db, supporterId: string, giftId: string) {
  const [gift] = await db
    .select()
    .from(gifts)
    .where(and(eq(gifts.id, giftId), eq(gifts.supporterId, supporterId)));
  const [receipt] = gift ? await db.select().from(receipts).where(eq(receipts.giftId, giftId)) : [];
  if (!gift || !receipt) throw AppError.notFound('No receipt for this gift.');
  const { facts } = await receiptFacts(db, gift, receipt.number, receipt.issuedAt);
  return { number: receipt.number, pdf: await receiptPdf(facts) };
}
