import { formatMoney, type GivingCurrency } from './money';

/** US thresholds (IRS Publication 1771), in USD cents. */
export const WRITTEN_ACKNOWLEDGMENT_MINOR = 25_000;
export const QUID_PRO_QUO_MINOR = 7_500;

export interface ReceiptFacts {
  number: string;
  donorName: string;
  amountMinor: number;
  currency: GivingCurrency;
  fairMarketValueMinor: number;
  fundName: string;
  receivedOn: Date;
  tribute?: { kind: string; name: string } | null;
  organisation?: string;
}

/**
 * The receipt's text. For US dollars: a gift of $250 or more carries the written-acknowledgment statement
 * (whether goods or services were provided, and their value); a payment over $75 that bought goods or
 * services carries the quid-pro-quo disclosure (only the excess over their value is deductible).
 */
export function receiptText(
  f: ReceiptFacts,
  money: (minor: number) => string = (m) => formatMoney(m, f.currency),
): { subject: string; text: string } {
  const org = f.organisation ?? 'Passage';
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
  if (f.currency === 'USD') {
    const fmv = f.fairMarketValueMinor;
    if (f.amountMinor >= WRITTEN_ACKNOWLEDGMENT_MINOR) {
      lines.push(
        '',
        fmv > 0
          ? `In exchange for this contribution, ${org} provided goods or services with an estimated fair market value of ${money(fmv)}.`
          : `No goods or services were provided in exchange for this contribution.`,
      );
    }
    if (fmv > 0 && f.amountMinor > QUID_PRO_QUO_MINOR) {
      const deductible = Math.max(0, f.amountMinor - fmv);
      lines.push(
        '',
        `The amount of your contribution that is deductible for federal income tax purposes is limited to the excess of the money you gave (${money(f.amountMinor)}) over the value of the goods or services ${org} provided (${money(fmv)}): ${money(deductible)}.`,
      );
    }
  }
  lines.push('', `With gratitude,`, org);
  return { subject: `Your receipt ${f.number}: thank you`, text: lines.join('\n') };
}
