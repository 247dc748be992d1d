import PDFDocument from 'pdfkit';
import { toDecimalString } from '../../../platform/money/money';
import { formatMoney, type GivingCurrency } from '../money';
import { BODY_FONT, BOLD_FONT, pdfBuffer, registerHangulFonts } from '../receipts/pdf-fonts';

export type PledgeCount =
  | { kind: 'per_unit'; units: number; metric: string; rateMinor: number; perUnits: number }
  | { kind: 'matching'; eligibleMinor: number; ratio: number };

/** "1,234 video views at $0.25 per 1" or "gifts of $1,000.00 matched 1:1". */
export function countedText(c: PledgeCount, money: (minor: number) => string): string {
  return c.kind === 'per_unit'
    ? `${c.units.toLocaleString('en-US')} ${c.metric} at ${money(c.rateMinor)} per ${c.perUnits.toLocaleString('en-US')}`
    : `eligible gifts of ${money(c.eligibleMinor)} matched ${c.ratio}:1`;
}

/** What an invoice to a sponsor says. Amounts in minor units of `currency`. */
export interface InvoiceFacts {
  number: string;
  sponsorName: string;
  pledgeName: string;
  /** "Rescue fund" or "Rescue fund — campaign The Hundred". */
  designation: string;
  periodStart: Date;
  /** Exclusive. */
  periodEnd: Date;
  currency: GivingCurrency;
  /** What the pledge counted, up to the period's end. */
  counted: PledgeCount;
  raisedMinor: number;
  capMinor: number | null;
  invoicedBeforeMinor: number;
  amountMinor: number;
  organisation?: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
/** The period's last day: its end is exclusive. */
const lastDay = (end: Date) => day(new Date(end.getTime() - 1));

export function invoiceText(
  f: InvoiceFacts,
  money: (minor: number) => string = (m) => formatMoney(m, f.currency),
): { subject: string; text: string } {
  const org = f.organisation ?? 'Passage';
  const lines = [
    `Invoice ${f.number}`,
    '',
    `To: ${f.sponsorName}`,
    `Pledge: ${f.pledgeName}, to ${f.designation}`,
    `Period: ${day(f.periodStart)} to ${lastDay(f.periodEnd)} (UTC)`,
    '',
    `Counted: ${countedText(f.counted, money)}`,
    f.capMinor === null
      ? `Pledged so far: ${money(f.raisedMinor)}`
      : `Pledged so far: ${money(f.raisedMinor)} (the pledge's cap is ${money(f.capMinor)})`,
    `Invoiced before: ${money(f.invoicedBeforeMinor)}`,
    `Amount due: ${money(f.amountMinor)}`,
    '',
    `Please pay by wire transfer or cheque, quoting ${f.number}. We send a receipt when the payment arrives.`,
    '',
    'With gratitude,',
    org,
  ];
  return { subject: `Invoice ${f.number} from ${org}: ${money(f.amountMinor)}`, text: lines.join('\n') };
}

/**
 * The invoice as a PDF (A4, in the Noto Sans KR of pdf-fonts.ts like the receipts, so a sponsor's name in
 * Hangul prints as written). Amounts carry the currency code ("KRW 500,000"), as the invoice email does.
 */
export function invoicePdf(facts: InvoiceFacts): Promise<Buffer> {
  const codeFormat = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: facts.currency,
    currencyDisplay: 'code',
  });
  const money = (minor: number) =>
    codeFormat.format(toDecimalString(minor, facts.currency) as unknown as number);
  const text = invoiceText(facts, money);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `Invoice ${facts.number}`, Author: facts.organisation ?? 'Passage' },
  });
  registerHangulFonts(doc);
  return pdfBuffer(doc, (d) => {
    d.font(BOLD_FONT).fontSize(16).text(`Invoice ${facts.number}`);
    d.moveDown();
    d.font(BODY_FONT).fontSize(11).text(text.text.split('\n').slice(2).join('\n'), { lineGap: 2 });
  });
}
