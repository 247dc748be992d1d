import PDFDocument from 'pdfkit';
import { toDecimalString } from '../../platform/money/money';
import { type ReceiptFacts, receiptText } from './receipt';

/**
 * The receipt as a PDF (A4, the standard Helvetica font). Amounts are written with the currency code
 * ("USD 300.00", "KRW 50,000") because the standard fonts have no ₩ glyph; the Korean donation-receipt
 * layout, which needs an embedded Hangul font, is later work.
 */
export function receiptPdf(facts: ReceiptFacts): Promise<Buffer> {
  const codeFormat = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: facts.currency,
    currencyDisplay: 'code',
  });
  const text = receiptText(facts, (minor) =>
    codeFormat.format(toDecimalString(minor, facts.currency) as unknown as number),
  );
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 56,
      info: { Title: text.subject, Author: facts.organisation ?? 'Passage' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(16).text(`Receipt ${facts.number}`);
    doc.moveDown();
    doc.font('Helvetica').fontSize(11).text(text.text, { lineGap: 2 });
    doc.end();
  });
}
