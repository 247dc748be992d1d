import PDFDocument from 'pdfkit';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { BODY_FONT, BOLD_FONT, pdfBuffer, registerHangulFonts } from '../receipts/pdf-fonts';
import { type ReceiptIssuer, receiptIssuer } from '../receipts/receipt-issuer';
import { buildStatement, codeAmount, type Statement, statementAcknowledgment } from './statement.service';

const COLUMNS = [
  { header: 'Date', width: 64, align: 'left' },
  { header: 'Fund', width: 121, align: 'left' },
  { header: 'Given', width: 78, align: 'right' },
  { header: 'Refunded', width: 70, align: 'right' },
  { header: 'Kept', width: 78, align: 'right' },
  { header: 'Receipt', width: 88, align: 'right' },
] as const;

/** The statement as a PDF (A4, embedded Noto Sans KR: Korean names print), a table of the year's gifts. */
export function statementPdf(s: Statement, issuer: ReceiptIssuer = receiptIssuer()): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `Giving statement ${s.year}`, Author: issuer.name },
  });
  registerHangulFonts(doc);
  return pdfBuffer(doc, (d) => {
    const left = d.page.margins.left;
    const width = d.page.width - left - d.page.margins.right;
    const bottom = d.page.height - d.page.margins.bottom;
    d.font(BOLD_FONT).fontSize(11).text(issuer.name, left, d.y, { width });
    d.font(BODY_FONT).fontSize(9);
    if (issuer.address) d.text(issuer.address, { width });
    if (issuer.registrationNumber) d.text(`Registration number ${issuer.registrationNumber}`, { width });
    d.moveDown(1.5);
    d.font(BOLD_FONT).fontSize(18).text(`Giving statement ${s.year}`, left, d.y, { width });
    d.font(BODY_FONT).fontSize(11).text(s.name, { width });
    d.moveDown(1);

    const header = () => {
      let x = left;
      d.font(BOLD_FONT).fontSize(9);
      const y = d.y;
      for (const c of COLUMNS) {
        d.text(c.header, x + 2, y, { width: c.width - 4, align: c.align });
        x += c.width;
      }
      d.moveTo(left, y + 14)
        .lineTo(left + width, y + 14)
        .stroke('#333333');
      d.x = left;
      d.y = y + 18;
    };
    header();
    for (const g of s.gifts) {
      const cells = [
        g.date,
        g.fund,
        codeAmount(g.amountMinor, g.currency),
        g.refundedMinor > 0 ? codeAmount(g.refundedMinor, g.currency) : '—',
        codeAmount(g.keptMinor, g.currency),
        g.receiptNumber ?? '—',
      ];
      d.font(BODY_FONT).fontSize(9);
      const height =
        Math.max(
          ...cells.map((text, i) => d.heightOfString(text, { width: (COLUMNS[i]?.width ?? 60) - 4 })),
        ) + 6;
      if (d.y + height > bottom) {
        d.addPage();
        header();
      }
      const y = d.y;
      let x = left;
      cells.forEach((text, i) => {
        const c = COLUMNS[i];
        if (!c) return;
        d.font(BODY_FONT)
          .fontSize(9)
          .text(text, x + 2, y, { width: c.width - 4, align: c.align });
        x += c.width;
      });
      d.x = left;
      d.y = y + height;
    }
    d.moveTo(left, d.y)
      .lineTo(left + width, d.y)
      .stroke('#999999');
    d.moveDown(1);
    d.font(BOLD_FONT).fontSize(11).text(`Total given in ${s.year}`, left, d.y, { width });
    d.font(BODY_FONT).fontSize(11);
    for (const t of s.totals) d.text(codeAmount(t.keptMinor, t.currency), { width });
    const acknowledgment = statementAcknowledgment(s, issuer.name);
    if (acknowledgment.length) {
      d.moveDown(1);
      d.font(BODY_FONT).fontSize(9);
      for (const line of acknowledgment) d.text(line, { width, lineGap: 2 }).moveDown(0.4);
    }
    d.moveDown(1);
    d.font(BODY_FONT).fontSize(11).text(`Thank you. With gratitude, ${issuer.name}`, left, d.y, { width });
  });
}

/**
 * A supporter's year-end statement as a PDF, rebuilt from the ledger. For the donor portal and for staff;
 * no access check here: the caller has decided who may read whose statement.
 */
export async function statementPdfFor(
  db: Db,
  supporterId: string,
  year: number,
): Promise<{ fileName: string; pdf: Buffer }> {
  const statement = await buildStatement(db, supporterId, year);
  if (!statement) throw AppError.notFound(`No gifts in ${year} to state.`);
  return { fileName: `giving-statement-${year}.pdf`, pdf: await statementPdf(statement) };
}
