import type { Config } from '../../../platform/config/config';

/** The organisation printed on receipts and statements (PASSAGE_ORG_NAME, _ADDRESS, _REGISTRATION_NUMBER). */
export interface ReceiptIssuer {
  name: string;
  address: string | null;
  /** The Korean receipt's 사업자등록번호 (고유번호); other countries' charity numbers fit too. */
  registrationNumber: string | null;
}

let issuer: ReceiptIssuer = { name: 'Passage', address: null, registrationNumber: null };

export function issuerFromConfig(
  config: Pick<Config, 'PASSAGE_ORG_NAME' | 'PASSAGE_ORG_ADDRESS' | 'PASSAGE_ORG_REGISTRATION_NUMBER'>,
): ReceiptIssuer {
  return {
    name: config.PASSAGE_ORG_NAME,
    address: config.PASSAGE_ORG_ADDRESS ?? null,
    registrationNumber: config.PASSAGE_ORG_REGISTRATION_NUMBER ?? null,
  };
}

/**
 * Set once at start from the configuration (giving.module.ts, and the CLI). Receipts are written deep in
 * the settlement path (a webhook, a batch post, an import), where threading the configuration through
 * every call would touch them all for three strings that never change while the process runs.
 */
export function setReceiptIssuer(value: ReceiptIssuer): void {
  issuer = value;
}

export function receiptIssuer(): ReceiptIssuer {
  return issuer;
}
