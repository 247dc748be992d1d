/**
 * One CSV record to a Passage `ImportRow`, or the reasons it cannot be one. Pure: no database, no clock.
 * Every problem of a record is reported (not just the first), each against the column it came from.
 */
import { isCurrency, MoneyError, parseAmount } from '../../../platform/money/money';
import type { ContactField, GiftField, ImportField } from './gift-import.layouts';

export type ContactKind = 'individual' | 'household' | 'organisation';

/**
 * Statuses an imported gift can carry. settled: the money arrived (CiviCRM "Completed", NPSP "Closed
 * Won"); pending: promised or in flight; failed and cancelled never counted; refunded: the service records
 * the gift and its opposite entry.
 */
export type ImportGiftStatus = 'settled' | 'pending' | 'failed' | 'cancelled' | 'refunded';

export interface ImportContact {
  kind: ContactKind;
  /** The id the record had in the system it came from (CiviCRM "Contact ID"). */
  sourceId?: string;
  externalId?: string;
  firstName?: string;
  lastName?: string;
  organisationName?: string;
  email?: string;
  phone?: string;
  street?: string;
  city?: string;
  region?: string;
  postcode?: string;
  country?: string;
  /**
   * What the file says about email: `true` only from a column mapped to `emailConsent` saying yes; `false`
   * from a "do not email" flag or a consent column saying no; absent when the file says nothing (absence of
   * an opt-out is not consent).
   */
  emailConsent?: boolean;
}

export interface ImportGift {
  /** The gift's id in the system it came from (CiviCRM "Contribution ID"). */
  sourceId?: string;
  amountMinor: bigint;
  currency: string;
  /** ISO date, `YYYY-MM-DD`, as the file wrote it (no time zone shift). */
  receivedOn: string;
  status: ImportGiftStatus;
  feeMinor?: bigint;
  nonDeductibleMinor?: bigint;
  fund?: string;
  paymentMethod?: string;
  transactionId?: string;
  checkNumber?: string;
  source?: string;
  campaign?: string;
  note?: string;
}

export interface ImportRow {
  /** Line of the file where the record starts; the header is line 1. */
  line: number;
  contact: ImportContact;
  /** Absent when importing contacts only. */
  gift?: ImportGift;
}

export interface ImportError {
  line: number;
  /** The file's header for the cell at fault; empty when the fault is the whole record. */
  column: string;
  reason: string;
}

export const DATE_FORMATS = ['auto', 'YYYY-MM-DD', 'YYYYMMDD', 'MM/DD/YYYY', 'DD/MM/YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export interface RowOptions {
  entity: 'gifts' | 'contacts';
  defaultCurrency: string;
  dateFormat: DateFormat;
  contactKind: ContactKind;
  /** Currencies the importing system takes (default: every ISO currency `platform/money` knows). */
  currencies?: readonly string[];
  /** The largest amount of one gift, in minor units. */
  maxAmountMinor?: bigint;
}

/** A field's cell: the first non-empty cell among the columns mapped to it, and that column's header. */
export type Cells = Partial<Record<ImportField, { value: string; header: string }>>;

const MAX_TEXT = 255;
const MAX_NOTE = 5000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const STATUSES: Record<string, ImportGiftStatus> = {
  completed: 'settled',
  closedwon: 'settled',
  received: 'settled',
  paid: 'settled',
  settled: 'settled',
  pending: 'pending',
  inprogress: 'pending',
  pledged: 'pending',
  prospecting: 'pending',
  failed: 'failed',
  closedlost: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  refunded: 'refunded',
};

const YES = new Set(['1', 'yes', 'y', 'true', 't', 'x']);
const NO = new Set(['0', 'no', 'n', 'false', 'f']);

const KINDS: Record<string, ContactKind> = {
  individual: 'individual',
  household: 'household',
  organization: 'organisation',
  organisation: 'organisation',
};

/** Normalises one record. `errors` receives every problem; the row is returned only when there is none. */
export function normaliseRow(
  cells: Cells,
  line: number,
  options: RowOptions,
  errors: ImportError[],
): ImportRow | undefined {
  const before = errors.length;
  const fail = (column: string, reason: string) => errors.push({ line, column, reason });

  const text = (field: ContactField | GiftField, max = MAX_TEXT): string | undefined => {
    const cell = cells[field];
    if (!cell) return undefined;
    if (cell.value.length > max) {
      fail(cell.header, `is longer than ${max} characters`);
      return undefined;
    }
    return cell.value;
  };

  let kind = options.contactKind;
  const kindCell = cells.contactKind;
  if (kindCell) {
    const k = KINDS[kindCell.value.toLowerCase()];
    if (k) kind = k;
    else
      fail(kindCell.header, `${JSON.stringify(kindCell.value)} is not Individual, Household or Organization`);
  }
  const donorCell = cells.donor;
  if (donorCell) {
    const d = donorCell.value.toLowerCase();
    if (d === 'account1') kind = 'organisation';
    else if (d !== 'contact1')
      fail(donorCell.header, `${JSON.stringify(donorCell.value)} is not Contact1 or Account1`);
  }

  const contact: ImportContact = { kind };
  const set = <K extends keyof ImportContact>(key: K, value: ImportContact[K] | undefined) => {
    if (value !== undefined) contact[key] = value;
  };
  set('sourceId', text('contactSourceId'));
  set('externalId', text('externalId'));
  set('firstName', text('firstName'));
  set('lastName', text('lastName'));
  set('organisationName', text('organisationName'));
  const email = text('email', 254);
  if (email !== undefined) {
    if (EMAIL.test(email)) contact.email = email;
    else fail(cells.email?.header ?? '', `${JSON.stringify(email)} is not an email address`);
  }
  set('phone', text('phone'));
  set('street', text('street'));
  set('city', text('city'));
  set('region', text('region'));
  set('postcode', text('postcode'));
  set('country', text('country'));
  const flag = (field: 'emailOptOut' | 'emailConsent'): boolean | undefined => {
    const cell = cells[field];
    if (!cell) return undefined;
    const v = cell.value.toLowerCase();
    if (YES.has(v)) return true;
    if (NO.has(v)) return false;
    fail(cell.header, `${JSON.stringify(cell.value)} is not yes or no (1/0, true/false)`);
    return undefined;
  };
  const optOut = flag('emailOptOut');
  const consent = flag('emailConsent');
  // An opt-out wins over a consent column: when a file says both, the cautious reading is "do not write".
  if (optOut === true) contact.emailConsent = false;
  else if (consent !== undefined) contact.emailConsent = consent;

  const named =
    kind === 'individual'
      ? contact.firstName !== undefined || contact.lastName !== undefined
      : !!contact.organisationName;
  if (!contact.sourceId && !contact.externalId && !cells.email && !named) {
    fail(
      '',
      kind === 'individual'
        ? 'names no contact: give a contact id, an external identifier, an email or a name'
        : 'names no contact: give a contact id, an external identifier, an email or an organisation name',
    );
  }

  let gift: ImportGift | undefined;
  if (options.entity === 'gifts') {
    const currencyCell = cells.currency;
    let currency: string | undefined = options.defaultCurrency;
    if (currencyCell) {
      currency = currencyCell.value.toUpperCase();
      if (!isCurrency(currency)) {
        fail(currencyCell.header, `${JSON.stringify(currencyCell.value)} is not a supported currency code`);
        currency = undefined;
      } else if (options.currencies && !options.currencies.includes(currency)) {
        fail(
          currencyCell.header,
          `${JSON.stringify(currencyCell.value)} is not a currency Passage takes (${options.currencies.join(', ')})`,
        );
        currency = undefined;
      }
    }
    const money = (field: 'amount' | 'feeAmount' | 'nonDeductibleAmount', required: boolean) => {
      const cell = cells[field];
      if (!cell) {
        if (required) fail('', 'has no amount');
        return undefined;
      }
      if (!currency) return undefined;
      try {
        return parseAmount(cell.value, currency, { field: cell.header, allowZero: field !== 'amount' });
      } catch (e) {
        if (e instanceof MoneyError) fail(cell.header, e.reason);
        else throw e;
        return undefined;
      }
    };
    const amountMinor = money('amount', true);
    if (
      amountMinor !== undefined &&
      options.maxAmountMinor !== undefined &&
      amountMinor > options.maxAmountMinor
    ) {
      fail(
        cells.amount?.header ?? '',
        `is more than ${options.maxAmountMinor} minor units, the largest gift Passage records`,
      );
    }
    const feeMinor = money('feeAmount', false);
    const nonDeductibleMinor = money('nonDeductibleAmount', false);
    if (amountMinor !== undefined) {
      if (feeMinor !== undefined && feeMinor > amountMinor) {
        fail(cells.feeAmount?.header ?? '', 'is more than the total amount');
      }
      if (nonDeductibleMinor !== undefined && nonDeductibleMinor > amountMinor) {
        fail(cells.nonDeductibleAmount?.header ?? '', 'is more than the total amount');
      }
    }

    let receivedOn: string | undefined;
    const dateCell = cells.receivedOn;
    if (!dateCell) fail('', 'has no date');
    else {
      const parsed = parseDate(dateCell.value, options.dateFormat);
      if (typeof parsed === 'string') receivedOn = parsed;
      else fail(dateCell.header, parsed.reason);
    }

    let status: ImportGiftStatus = 'settled';
    const statusCell = cells.status;
    if (statusCell) {
      const s = STATUSES[statusCell.value.toLowerCase().replace(/[^a-z]/g, '')];
      if (s) status = s;
      else {
        fail(
          statusCell.header,
          `${JSON.stringify(statusCell.value)} is not a known status (Completed, Pending, Failed, Cancelled, Refunded; Closed Won, Pledged, Closed Lost)`,
        );
      }
    }

    if (errors.length === before && amountMinor !== undefined && currency && receivedOn) {
      gift = { amountMinor, currency, receivedOn, status };
      if (feeMinor !== undefined) gift.feeMinor = feeMinor;
      if (nonDeductibleMinor !== undefined) gift.nonDeductibleMinor = nonDeductibleMinor;
      const sourceId = text('giftSourceId');
      if (sourceId !== undefined) gift.sourceId = sourceId;
      const optional = [
        'fund',
        'paymentMethod',
        'transactionId',
        'checkNumber',
        'source',
        'campaign',
      ] as const;
      for (const key of optional) {
        const v = text(key);
        if (v !== undefined) gift[key] = v;
      }
      const note = text('note', MAX_NOTE);
      if (note !== undefined) gift.note = note;
    }
  }

  if (errors.length > before) return undefined;
  return gift ? { line, contact, gift } : { line, contact };
}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SLASHED = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$/;

/**
 * A date cell to `YYYY-MM-DD`, the calendar date as written (a time after it is dropped, not converted).
 * ISO and `YYYYMMDD` are read in every format; `03/04/2024` only when the import says which order it uses,
 * because both orders are common and a wrong guess files a gift in the wrong month.
 */
export function parseDate(input: string, format: DateFormat = 'auto'): string | { reason: string } {
  const bad = { reason: `${JSON.stringify(input)} is not a date` };
  let y: number;
  let m: number;
  let d: number;
  const iso = ISO.exec(input) ?? COMPACT.exec(input);
  if (iso) {
    [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else {
    const s = SLASHED.exec(input);
    if (!s) return bad;
    if (format === 'MM/DD/YYYY') [m, d] = [Number(s[1]), Number(s[2])];
    else if (format === 'DD/MM/YYYY') [d, m] = [Number(s[1]), Number(s[2])];
    else {
      return {
        reason: `${JSON.stringify(input)} is ambiguous: choose the date format (MM/DD/YYYY or DD/MM/YYYY)`,
      };
    }
    y = Number(s[3]);
  }
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return { reason: `${JSON.stringify(input)} is not a date on the calendar` };
  }
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}
