import type { GivingCurrency } from '../money';

/** What a receipt states about one gift, in English (US wording) or in the Korean layout. */
export interface ReceiptFacts {
  number: string;
  donorName: string;
  amountMinor: number;
  currency: GivingCurrency;
  fairMarketValueMinor: number;
  fundName: string;
  receivedOn: Date;
  tribute?: { kind: string; name: string } | null;
  /** Default: the configured organisation (PASSAGE_ORG_NAME). */
  organisation?: string;
  /** card | cheque | wire | cash | daf | stock (the Korean receipt names it). */
  method?: string;
  /** What the Korean receipt prints as the donor's address (Passage keeps a postcode at most). */
  donorAddress?: string | null;
  /** When the receipt was issued (default: now, as it is written). */
  issuedOn?: Date;
}
