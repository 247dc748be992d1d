import { formatMoney, type GivingCurrency } from '../money';

/*
 * The emails a monthly donor gets when a charge fails ("dunning"): what happened, when we try again, and
 * the link to their portal where they can pause or cancel. No card data (we never have any), no amounts of
 * other gifts, nothing the donor did not already know.
 */

export interface DunningFacts {
  donorName: string;
  amountMinor: number;
  currency: GivingCurrency;
  /** When the charge is tried again; null when this was the last try (the monthly gift has lapsed). */
  nextAttemptAt: Date | null;
  /** The donor portal (`<public url>/my`). */
  portalUrl: string;
  organisation?: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** A failed monthly charge that will be tried again. */
export function dunningText(f: DunningFacts): { subject: string; text: string } {
  const org = f.organisation ?? 'Passage';
  const amount = formatMoney(f.amountMinor, f.currency);
  const lines = [
    `Dear ${f.donorName},`,
    '',
    `We could not collect your monthly gift of ${amount}: your card was declined.`,
    f.nextAttemptAt
      ? `We will try again on ${day(f.nextAttemptAt)}. You do not need to do anything if your card is fine by then.`
      : 'Please check with your bank that the card can be charged.',
    '',
    `To change the amount, pause or cancel your monthly gift, sign in to your donor page: ${f.portalUrl}`,
    'To give with another card, start a new monthly gift there and cancel this one.',
    '',
    'Thank you for standing with us every month.',
    org,
  ];
  return { subject: `Your monthly gift of ${amount} could not be collected`, text: lines.join('\n') };
}

/** The last retry failed too: the monthly gift has stopped. */
export function lapseText(f: DunningFacts): { subject: string; text: string } {
  const org = f.organisation ?? 'Passage';
  const amount = formatMoney(f.amountMinor, f.currency);
  const lines = [
    `Dear ${f.donorName},`,
    '',
    `We tried several times but could not collect your monthly gift of ${amount}, so we have stopped it. You will not be charged again.`,
    '',
    `If you would like to give again, you can start a new monthly gift at any time. Your gifts and receipts stay on your donor page: ${f.portalUrl}`,
    '',
    'Thank you for everything you have given.',
    org,
  ];
  return { subject: `Your monthly gift of ${amount} has stopped`, text: lines.join('\n') };
}
