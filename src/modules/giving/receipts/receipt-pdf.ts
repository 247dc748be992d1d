import PDFDocument from 'pdfkit';
import { toDecimalString } from '../../../platform/money/money';
import { BODY_FONT, BOLD_FONT, pdfBuffer, registerHangulFonts } from './pdf-fonts';
import { englishReceiptText, type ReceiptFacts } from './receipt';
import { receiptIssuer } from './receipt-issuer';
import { type KoreanReceipt, koreanReceipt } from './receipt-kr';

/**
 * The receipt as a PDF (A4), set in the embedded Noto Sans KR so any donor's name prints as written. A
 * gift in won is the Korean donation receipt (기부금 영수증); others are the English receipt, whose amounts
 * carry the currency code ("USD 300.00") so that no currency is mistaken for another ($ for A$ or C$).
 */
export function receiptPdf(facts: ReceiptFacts): Promise<Buffer> {
  if (facts.currency === 'KRW') {
    const issuer = receiptIssuer();
    return koreanReceiptPdf(
      koreanReceipt(facts, facts.organisation ? { ...issuer, name: facts.organisation } : issuer),
    );
  }
  const codeFormat = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: facts.currency,
    currencyDisplay: 'code',
  });
  const text = englishReceiptText(facts, (minor) =>
    codeFormat.format(toDecimalString(minor, facts.currency) as unknown as number),
  );
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: text.subject, Author: facts.organisation ?? receiptIssuer().name },
  });
  registerHangulFonts(doc);
  return pdfBuffer(doc, (d) => {
    d.font(BOLD_FONT).fontSize(16).text(`Receipt ${facts.number}`);
    d.moveDown();
    d.font(BODY_FONT).fontSize(11).text(text.text, { lineGap: 2 });
  });
}

const LINE = '#333333';
const SHADE = '#f0f0f0';

/** The Korean donation receipt, drawn as the form's boxes: a row per field, labels shaded. */
export function koreanReceiptPdf(r: KoreanReceipt): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `${r.title} ${r.serial}`, Author: r.organisation.name },
  });
  registerHangulFonts(doc);
  return pdfBuffer(doc, (d) => {
    const left = d.page.margins.left;
    const width = d.page.width - left - d.page.margins.right;
    d.font(BODY_FONT).fontSize(9).text(`일련번호: ${r.serial}`, left, d.y, { width, align: 'right' });
    d.moveDown(0.5);
    d.font(BOLD_FONT).fontSize(20).text(r.title, left, d.y, { width, align: 'center', characterSpacing: 6 });
    d.moveDown(1);

    const labelWidth = 150;
    const row = (label: string, value: string) => {
      const y = d.y;
      d.font(BODY_FONT).fontSize(10);
      const h = Math.max(22, d.heightOfString(value, { width: width - labelWidth - 16 }) + 10);
      d.rect(left, y, labelWidth, h).fillAndStroke(SHADE, LINE);
      d.rect(left + labelWidth, y, width - labelWidth, h).stroke(LINE);
      d.fillColor('black').text(label, left + 8, y + 6, { width: labelWidth - 16 });
      d.text(value, left + labelWidth + 8, y + 6, { width: width - labelWidth - 16 });
      d.x = left;
      d.y = y + h;
    };
    const section = (title: string) => {
      d.moveDown(0.8);
      d.font(BOLD_FONT).fontSize(12).fillColor('black').text(title, left, d.y);
      d.moveDown(0.3);
    };

    section('1. 기부자');
    row('성명', r.donor.name);
    row('주소', r.donor.address);

    section('2. 기부금 단체');
    row('단체명', r.organisation.name);
    row('사업자등록번호(고유번호)', r.organisation.registrationNumber);
    row('소재지', r.organisation.address);

    section('3. 기부 내용');
    row('유형', `${r.gift.type} (코드 ${r.gift.code})`);
    row('구분', r.gift.kind);
    row('연월일', r.gift.date);
    row('내용', r.gift.description);
    row('방법', r.gift.method);
    row('금액', r.gift.amount);

    d.moveDown(1.5);
    d.font(BODY_FONT).fontSize(10).text(r.statement, left, d.y, { width, lineGap: 3 });
    d.moveDown(1.5);
    d.text(`발행일: ${r.issuedOn}`, left, d.y, { width, align: 'right' });
    d.moveDown(0.5);
    d.font(BOLD_FONT).text(`기부금 수령인: ${r.recipient}`, left, d.y, { width, align: 'right' });
  });
}
