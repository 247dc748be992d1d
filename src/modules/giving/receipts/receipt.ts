import { formatMoney } from '../money';
import type { ReceiptFacts } from './receipt-facts';
import { receiptIssuer } from './receipt-issuer';
import { koreanReceipt, koreanReceiptText } from './receipt-kr';

export type { ReceiptFacts } from './receipt-facts';

/** US thresholds (IRS Publication 1771), in USD cents. */
export const WRITTEN_ACKNOWLEDGMENT_MINOR = 25_000;
export const QUID_PRO_QUO_MINOR = 7_500;

/**
 * The US wording for one gift in dollars: a gift of $250 or more carries the written-acknowledgment
 * statement (whether goods or services were provided, and their value); a payment over $75 that bought
 * goods or services carries the quid-pro-quo disclosure (only the excess over their value is deductible).
 * Empty for other currencies and smaller gifts.
 */
export function usAcknowledgment(
  g: { amountMinor: number; currency: string; fairMarketValueMinor: number },
  org: string,
  money: (minor: number) => string,
): string[] {
  if (g.currency !== 'USD') return [];
  const lines: string[] = [];
  const fmv = g.fairMarketValueMinor;
  if (g.amountMinor >= WRITTEN_ACKNOWLEDGMENT_MINOR) {
    lines.push(
      fmv > 0
        ? `In exchange for this contribution, ${org} provided goods or services with an estimated fair market value of ${money(fmv)}.`
        : `No goods or services were provided in exchange for this contribution.`,
    );
  }
  if (fmv > 0 && g.amountMinor > QUID_PRO_QUO_MINOR) {
    const deductible = Math.max(0, g.amountMinor - fmv);
    lines.push(
      `The amount of your contribution that is deductible for federal income tax purposes is limited to the excess of the money you gave (${money(g.amountMinor)}) over the value of the goods or services ${org} provided (${money(fmv)}): ${money(deductible)}.`,
    );
  }
  return lines;
}

/** The receipt in English, with the US wording where it applies. */
export function englishReceiptText(
  f: ReceiptFacts,
  money: (minor: number) => string = (m) => formatMoney(m, f.currency),
): { subject: string; text: string } {
  const org = f.organisation ?? receiptIssuer().name;
  const lines = [
    `Dear ${f.donorName},`,
    '',
    `Thank you for your gift of ${money(f.amountMinor)} to ${f.fundName}, received on ${f.receivedOn.toISOString().slice(0, 10)}.`,
  ];
  if (f.tribute)
    lines.push(
      `Given ${f.tribute.kind === 'in_memory' ? 'in memory of' : 'in honour of'} ${f.tribute.name}.`,
    );
  lines.push('', `Receipt number: ${f.number}`);
  for (const line of usAcknowledgment(f, org, money)) lines.push('', line);
  lines.push('', `With gratitude,`, org);
  return { subject: `Your receipt ${f.number}: thank you`, text: lines.join('\n') };
}

/**
 * The receipt's email. A gift in won gets the Korean donation receipt (기부금 영수증) first, for the
 * Korean year-end tax settlement, and the English thank-you after it (a donor in won may not read Korean).
 */
export function receiptText(
  f: ReceiptFacts,
  money: (minor: number) => string = (m) => formatMoney(m, f.currency),
): { subject: string; text: string } {
  const english = englishReceiptText(f, money);
  if (f.currency !== 'KRW') return english;
  const issuer = receiptIssuer();
  const korean = koreanReceiptText(
    koreanReceipt(f, f.organisation ? { ...issuer, name: f.organisation } : issuer),
  );
  return {
    subject: `기부금 영수증 ${f.number} · Your receipt ${f.number}: thank you`,
    text: `${korean}\n\n────────\n\n${english.text}`,
  };
}
