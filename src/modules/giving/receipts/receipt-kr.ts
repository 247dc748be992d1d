import type { Db } from '../../../platform/db/client';
import { supporterPostcode } from '../../people';
import { formatMoney } from '../money';
import type { ReceiptFacts } from './receipt-facts';
import type { ReceiptIssuer } from './receipt-issuer';

/*
 * The Korean donation receipt (기부금 영수증) for gifts in won, after the form of 소득세법 시행규칙
 * 별지 제45호의2: the donor (기부자), the receiving organisation (기부금 단체), what was given (기부 내용),
 * the statement that it was received, the date of issue and the serial number. It asks for the donor's
 * name and address only: Passage never collects a resident registration number (주민등록번호), which the
 * donor adds when they file it, so nothing more about a donor is kept than the gift needs (S2).
 *
 * Dates are Korean dates (Asia/Seoul): a gift made at 08:30 on 1 January in Seoul is a gift of that year
 * for the Korean year-end tax settlement (연말정산), though it is still 31 December in UTC.
 */

/** 일반기부금 (formerly 지정기부금), code 40: gifts to a designated public-interest organisation. */
export const KOREAN_DONATION_TYPE = { name: '일반기부금', code: '40' } as const;

const METHOD_KO: Record<string, string> = {
  card: '신용카드',
  cheque: '수표',
  wire: '계좌이체',
  cash: '현금',
  daf: '기부자조언기금',
  stock: '주식',
};

const NOT_REGISTERED = '(등록되지 않음)';

export const KOREAN_RECEIPT_STATEMENT =
  '「소득세법」 제34조, 「조세특례제한법」 제76조·제88조의4 및 「법인세법」 제24조에 따른 기부금을 위와 같이 기부받았음을 증명합니다.';

const seoulDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** `2026년 3월 1일`, in Seoul. */
export function koreanDate(date: Date): string {
  const parts = Object.fromEntries(seoulDate.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}년 ${Number(parts.month)}월 ${Number(parts.day)}일`;
}

/** `2026-03-01`, in Seoul. */
export function koreanIsoDate(date: Date): string {
  const parts = Object.fromEntries(seoulDate.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${String(parts.month).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}`;
}

export interface KoreanReceipt {
  title: '기부금 영수증';
  serial: string;
  donor: { name: string; address: string };
  organisation: { name: string; registrationNumber: string; address: string };
  gift: {
    type: string;
    code: string;
    /** 금전 (money) or 현물 (in kind: stock). */
    kind: '금전' | '현물';
    date: string;
    description: string;
    method: string;
    /** ₩50,000 */
    amount: string;
  };
  statement: string;
  issuedOn: string;
  recipient: string;
}

/** The fields of the Korean receipt for a gift in won. */
export function koreanReceipt(f: ReceiptFacts, issuer: ReceiptIssuer): KoreanReceipt {
  const tribute = f.tribute ? ` (${f.tribute.name} ${f.tribute.kind === 'in_memory' ? '추모' : '기념'})` : '';
  return {
    title: '기부금 영수증',
    serial: f.number,
    donor: { name: f.donorName, address: f.donorAddress || NOT_REGISTERED },
    organisation: {
      name: issuer.name,
      registrationNumber: issuer.registrationNumber ?? NOT_REGISTERED,
      address: issuer.address ?? NOT_REGISTERED,
    },
    gift: {
      type: KOREAN_DONATION_TYPE.name,
      code: KOREAN_DONATION_TYPE.code,
      kind: f.method === 'stock' ? '현물' : '금전',
      date: koreanDate(f.receivedOn),
      description: `${f.fundName}${tribute}`,
      method: (f.method && METHOD_KO[f.method]) || '기타',
      amount: formatMoney(f.amountMinor, 'KRW', 'ko'),
    },
    statement: KOREAN_RECEIPT_STATEMENT,
    issuedOn: koreanDate(f.issuedOn ?? new Date()),
    recipient: `${issuer.name} (직인 생략)`,
  };
}

/** The Korean receipt as plain text (the email). */
export function koreanReceiptText(r: KoreanReceipt): string {
  return [
    `[${r.title}]`,
    `일련번호: ${r.serial}`,
    '',
    '1. 기부자',
    `   성명: ${r.donor.name}`,
    `   주소: ${r.donor.address}`,
    '',
    '2. 기부금 단체',
    `   단체명: ${r.organisation.name}`,
    `   사업자등록번호(고유번호): ${r.organisation.registrationNumber}`,
    `   소재지: ${r.organisation.address}`,
    '',
    '3. 기부 내용',
    `   유형: ${r.gift.type} (코드 ${r.gift.code})`,
    `   구분: ${r.gift.kind}`,
    `   연월일: ${r.gift.date}`,
    `   내용: ${r.gift.description}`,
    `   방법: ${r.gift.method}`,
    `   금액: ${r.gift.amount}`,
    '',
    r.statement,
    '',
    `발행일: ${r.issuedOn}`,
    `기부금 수령인: ${r.recipient}`,
  ].join('\n');
}

/**
 * The donor's address as the receipt prints it. `people` keeps no street address, only a postcode: the
 * receipt shows that, or says none is registered (the donor writes it in when filing).
 */
export async function donorAddressLine(db: Db, supporterId: string): Promise<string | null> {
  const postcode = await supporterPostcode(db, supporterId);
  return postcode ? `우편번호 ${postcode}` : null;
}
