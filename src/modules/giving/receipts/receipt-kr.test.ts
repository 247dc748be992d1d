import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import { pdfText } from '../../../../test/harness/pdf-text';
import type { Subject } from '../../../platform/access/policy';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { insertSupporter } from '../../people';
import { addBatchGift, createBatch, postBatch } from '../batches/batch.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { receipts } from '../giving.table';
import { type ReceiptFacts, receiptText } from './receipt';
import { type ReceiptIssuer, setReceiptIssuer } from './receipt-issuer';
import { koreanDate, koreanReceipt, koreanReceiptText } from './receipt-kr';
import { receiptPdf } from './receipt-pdf';

const issuer: ReceiptIssuer = {
  name: '사단법인 통로',
  address: '서울특별시 종로구 세종대로 1',
  registrationNumber: '123-82-12345',
};
const facts: ReceiptFacts = {
  number: 'R-2026-ABCDEF12',
  donorName: '김은지',
  amountMinor: 50_000,
  currency: 'KRW',
  fairMarketValueMinor: 0,
  fundName: 'Rescue fund',
  receivedOn: new Date('2026-03-01T00:00:00Z'),
  method: 'wire',
  donorAddress: '우편번호 04524',
  issuedOn: new Date('2026-03-02T01:00:00Z'),
};

describe('the Korean donation receipt (기부금 영수증)', () => {
  it('fills the form’s fields in Korean, the amount in won with its sign', () => {
    expect(koreanReceipt(facts, issuer)).toEqual({
      title: '기부금 영수증',
      serial: 'R-2026-ABCDEF12',
      donor: { name: '김은지', address: '우편번호 04524' },
      organisation: {
        name: '사단법인 통로',
        registrationNumber: '123-82-12345',
        address: '서울특별시 종로구 세종대로 1',
      },
      gift: {
        type: '일반기부금',
        code: '40',
        kind: '금전',
        date: '2026년 3월 1일',
        description: 'Rescue fund',
        method: '계좌이체',
        amount: '₩50,000',
      },
      statement: expect.stringContaining('기부받았음을 증명합니다'),
      issuedOn: '2026년 3월 2일',
      recipient: '사단법인 통로 (직인 생략)',
    });
  });

  it('dates by Seoul’s calendar, names stock as in kind, a tribute, and what is not registered', () => {
    expect(koreanDate(new Date('2025-12-31T23:30:00Z'))).toBe('2026년 1월 1일');
    const r = koreanReceipt(
      {
        ...facts,
        method: 'stock',
        amountMinor: 1_234_567,
        donorAddress: null,
        tribute: { kind: 'in_memory', name: '할머니' },
      },
      { name: 'Passage', address: null, registrationNumber: null },
    );
    expect([r.gift.kind, r.gift.method, r.gift.amount, r.gift.description]).toEqual([
      '현물',
      '주식',
      '₩1,234,567',
      'Rescue fund (할머니 추모)',
    ]);
    expect([r.donor.address, r.organisation.address, r.organisation.registrationNumber]).toEqual([
      '(등록되지 않음)',
      '(등록되지 않음)',
      '(등록되지 않음)',
    ]);
  });

  it('mails a gift in won with the Korean receipt first and the English thank-you after it', () => {
    setReceiptIssuer(issuer);
    const mail = receiptText(facts);
    expect(mail.subject).toBe('기부금 영수증 R-2026-ABCDEF12 · Your receipt R-2026-ABCDEF12: thank you');
    const [korean, english] = mail.text.split('────────');
    expect(korean).toContain(koreanReceiptText(koreanReceipt(facts, issuer)));
    for (const line of [
      '성명: 김은지',
      '금액: ₩50,000',
      '연월일: 2026년 3월 1일',
      '일련번호: R-2026-ABCDEF12',
    ])
      expect(korean).toContain(line);
    expect(english).toContain('Thank you for your gift of ₩50,000 to Rescue fund');
    const usd = receiptText({ ...facts, currency: 'USD', amountMinor: 5_000 });
    expect(usd.text).not.toContain('기부금');
    expect(usd.subject).toBe('Your receipt R-2026-ABCDEF12: thank you');
  });

  it('prints the Korean receipt as a PDF in the embedded Hangul font, subset to the glyphs used', async () => {
    const pdf = await receiptPdf({ ...facts, organisation: issuer.name });
    const { text, fonts } = pdfText(pdf);
    expect(fonts.every((f) => /^[A-Z]{6}\+NotoSansKR-(Regular|Bold)$/.test(f))).toBe(true);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of [
      '기부금 영수증',
      '일련번호: R-2026-ABCDEF12',
      '1. 기부자',
      '성명',
      '김은지',
      '우편번호 04524',
      '2. 기부금 단체',
      '사단법인 통로',
      '사업자등록번호(고유번호)',
      '3. 기부 내용',
      '일반기부금 (코드 40)',
      '2026년 3월 1일',
      '₩50,000',
      '계좌이체',
      '발행일: 2026년 3월 2일',
    ])
      expect(text.split('\n').map((l) => l.trim())).toContain(line);
    // The whole font is 4.6 MB: only the glyphs used travel.
    expect(pdf.length).toBeLessThan(150_000);
  });

  it('prints a Korean name on the English receipt of a gift in dollars', async () => {
    const { text } = pdfText(
      await receiptPdf({ ...facts, currency: 'USD', amountMinor: 30_000, donorName: '박서준' }),
    );
    expect(text).toContain('Dear 박서준,');
    expect(text).toContain('USD 300.00');
    expect(text).toContain('No goods or services were provided in exchange for this contribution.');
  });
});

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

describeEachDatabase('the Korean receipt of a settled gift in won', (getDb) => {
  let t: TestApp;
  let actors: Actors;

  beforeAll(async () => {
    t = await startTestApp(getDb(), {
      PASSAGE_ORG_NAME: '사단법인 통로',
      PASSAGE_ORG_ADDRESS: '서울특별시 종로구 세종대로 1',
      PASSAGE_ORG_REGISTRATION_NUMBER: '123-82-12345',
    });
    actors = await actorsFor(t.app, t.ctx);
    await insertFund(t.ctx.database.db, {
      code: 'most-needed',
      name: 'Where most needed',
      restricted: false,
    });
  }, 90_000);
  afterAll(async () => t?.close());

  it('mails it on settlement and serves it as a PDF, with the configured organisation and the donor’s postcode', async () => {
    const db = t.ctx.database.db;
    const donor = await insertSupporter(
      db,
      {
        kind: 'individual',
        displayName: '이서연',
        firstName: '서연',
        lastName: '이',
        email: 'seoyeon@example.org',
        postcode: '04524',
      },
      null,
    );
    const giftId = await db.transaction(async (tx) => {
      const gc: GivingContext = { db: tx, subject: development, requestId: null, mail: t.ctx.mail };
      const batch = await createBatch(gc, {
        name: 'Won cheques',
        currency: 'KRW',
        controlTotalMinor: 50_000,
      });
      const gift = await addBatchGift(gc, batch.id, {
        supporterId: donor.id,
        amountMinor: 50_000,
        method: 'cash',
        fund: 'most-needed',
        receivedOn: new Date('2026-03-01T00:00:00Z'),
        fairMarketValueMinor: 0,
        softCredits: [],
      } as Parameters<typeof addBatchGift>[2]);
      await postBatch(gc, batch.id);
      return gift.id;
    });
    const [receipt] = await db.select().from(receipts).where(eq(receipts.giftId, giftId));
    const [mail] = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.id, receipt?.outboxId ?? ''));
    expect(mail?.toAddress).toBe('seoyeon@example.org');
    for (const line of [
      '[기부금 영수증]',
      '   성명: 이서연',
      '   주소: 우편번호 04524',
      '   단체명: 사단법인 통로',
      '   사업자등록번호(고유번호): 123-82-12345',
      '   소재지: 서울특별시 종로구 세종대로 1',
      '   방법: 현금',
      '   금액: ₩50,000',
      `일련번호: ${receipt?.number}`,
    ])
      expect(mail?.textBody).toContain(line);
    expect(mail?.textBody).toContain('With gratitude,\n사단법인 통로');

    const pdf = await t.app.inject(
      as(actors.development, { method: 'GET', url: `/api/giving/gifts/${giftId}/receipt.pdf` }),
    );
    expect(pdf.statusCode).toBe(200);
    const { text } = pdfText(pdf.rawPayload);
    for (const line of [
      '기부금 영수증',
      '이서연',
      '123-82-12345',
      '₩50,000',
      '기부금 수령인: 사단법인 통로 (직인 생략)',
    ])
      expect(text).toContain(line);
  });
});
