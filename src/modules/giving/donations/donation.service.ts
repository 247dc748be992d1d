import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Mailer } from '../../../platform/mail/mailer';
import { findSupporterByEmail, insertConsent, insertSupporter } from '../../people';
import { campaignByCode } from '../funds/campaign.service';
import { fundByCode } from '../funds/fund.service';
import { giftTotal } from '../giving.context';
import type { DonationInput } from '../giving.schema';
import { funds, gifts, softCredits } from '../giving.table';
import { recordGiftSplits } from '../ledger/gift-splits';
import { coveredFee } from '../money';
import {
  endUnstartedRecurringGift,
  openRecurringGift,
  recordPaymentMethod,
} from '../recurring/recurring-charge';
import type { PaymentProvider } from './payment-provider';
import { receiveWebhook } from './webhook.service';

/*
 * A donation (the public's word; `POST /api/giving/donations`): the donor's pending gift, and for a monthly
 * gift its schedule, in one transaction; then the processor's checkout. The gift settles only when the
 * processor's verified event says so (webhook.service.ts). "Cover the fees" lives in ../money (browser safe:
 * the donate page shows the exact amount it adds).
 */

export async function startDonation(
  db: Db,
  mail: Mailer,
  provider: PaymentProvider,
  input: DonationInput,
  publicUrl: string,
) {
  const gift = await db.transaction(async (tx) => {
    const campaign = input.campaign ? await campaignByCode(tx, input.campaign) : null;
    const now = new Date();
    if (campaign && (campaign.startsAt > now || (campaign.endsAt && campaign.endsAt <= now)))
      throw AppError.invalid('campaign: is not open for gifts now');
    const fund = input.fund
      ? await fundByCode(tx, input.fund)
      : campaign
        ? (await tx.select().from(funds).where(eq(funds.id, campaign.fundId)))[0]
        : await fundByCode(tx, 'most-needed');
    if (!fund) throw AppError.invalid('fund: no fund to give to');
    let donor = await findSupporterByEmail(tx, input.donor.email);
    donor ??= await insertSupporter(
      tx,
      {
        kind: 'individual',
        firstName: input.donor.firstName,
        lastName: input.donor.lastName,
        email: input.donor.email,
        postcode: input.donor.postcode,
      },
      null,
    );
    if (input.donor.emailConsent)
      await insertConsent(tx, donor.id, { channel: 'email', granted: true, method: 'donate_form' }, null);
    const feeMinor = input.coverFees ? coveredFee(input.amountMinor, input.currency) : 0;
    // A monthly gift: its schedule (recurring-charge.ts), of which this gift is the first charge.
    const monthly =
      input.frequency === 'monthly'
        ? await openRecurringGift(tx, {
            supporterId: donor.id,
            amountMinor: input.amountMinor,
            feeMinor,
            currency: input.currency,
            fundId: fund.id,
            campaignId: campaign?.id ?? null,
            provider: provider.name,
            tributeKind: input.tribute?.kind ?? null,
            tributeName: input.tribute?.name ?? null,
            anonymous: input.anonymous,
          })
        : null;
    const [row] = await tx
      .insert(gifts)
      .values({
        id: crypto.randomUUID(),
        supporterId: donor.id,
        amountMinor: input.amountMinor,
        feeMinor,
        recurringGiftId: monthly?.id ?? null,
        currency: input.currency,
        fundId: fund.id,
        campaignId: campaign?.id ?? null,
        status: 'pending',
        source: 'online',
        method: 'card',
        provider: provider.name,
        tributeKind: input.tribute?.kind ?? null,
        tributeName: input.tribute?.name ?? null,
        anonymous: input.anonymous,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    if (input.splits) await recordGiftSplits(tx, row, input.splits, input.fund);
    if (input.softCredit)
      await tx.insert(softCredits).values({
        id: crypto.randomUUID(),
        giftId: row.id,
        creditKind: input.softCredit.kind,
        creditRef: input.softCredit.ref,
      });
    return { row, fundName: fund.name };
  });
  let checkout: Awaited<ReturnType<PaymentProvider['createCheckout']>>;
  try {
    checkout = await provider.createCheckout({
      giftId: gift.row.id,
      amountMinor: giftTotal(gift.row),
      currency: gift.row.currency,
      description: `Gift to ${gift.fundName}`,
      donorEmail: input.donor.email,
      successUrl: `${publicUrl}/give/thank-you?gift=${gift.row.id}`,
      cancelUrl: `${publicUrl}/give?cancelled=1`,
      testCard: input.testCard,
      monthly: gift.row.recurringGiftId ? { recurringGiftId: gift.row.recurringGiftId } : undefined,
    });
  } catch (error) {
    await db.update(gifts).set({ status: 'failed', updatedAt: new Date() }).where(eq(gifts.id, gift.row.id));
    if (gift.row.recurringGiftId) await endUnstartedRecurringGift(db, gift.row.recurringGiftId);
    throw error;
  }
  await db.update(gifts).set({ providerRef: checkout.providerRef }).where(eq(gifts.id, gift.row.id));
  if (checkout.kind === 'redirect')
    return { giftId: gift.row.id, status: 'pending' as const, checkoutUrl: checkout.url };
  if (gift.row.recurringGiftId && checkout.paymentMethodRef)
    await recordPaymentMethod(db, gift.row.recurringGiftId, checkout.paymentMethodRef);
  // The sandbox processor "sends" its signed event; it goes through the same verification as any webhook.
  await receiveWebhook(db, mail, provider, checkout.webhook.body, checkout.webhook.headers, publicUrl);
  const [after] = await db.select({ status: gifts.status }).from(gifts).where(eq(gifts.id, gift.row.id));
  return {
    giftId: gift.row.id,
    status: (after?.status ?? 'pending') as 'pending' | 'settled' | 'failed',
    checkoutUrl: null,
  };
}
