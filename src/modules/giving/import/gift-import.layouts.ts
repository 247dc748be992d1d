/**
 * The column layouts Passage reads: CiviCRM's contribution import and Salesforce NPSP's Data Import
 * template. A layout is a table of header aliases per Passage field; detection scores the file's headers
 * against each table, and the default mapping is that table applied to the headers found. Headers compare
 * case- and punctuation-blind, and NPSP's API names (`Contact1_Firstname__c`, `npsp__Donation_Amount__c`)
 * match their labels.
 */

import type { ImportField, ImportLayout } from './gift-import.constants';

export {
  CONTACT_FIELDS,
  type ContactField,
  GIFT_FIELDS,
  type GiftField,
  IMPORT_FIELDS,
  type ImportField,
  type ImportLayout,
} from './gift-import.constants';

/** Header -> Passage field, `null` to leave a column out. Several columns may feed one field: the first
 * non-empty cell, in file order, wins (NPSP's personal, work and alternate emails). */
export type ImportMapping = Record<string, ImportField | null>;

type Aliases = Partial<Record<ImportField, readonly string[]>>;

const CIVICRM: Aliases = {
  contactSourceId: ['Contact ID', 'Internal Contact ID'],
  externalId: ['External Identifier', 'External ID'],
  contactKind: ['Contact Type'],
  firstName: ['First Name'],
  lastName: ['Last Name'],
  organisationName: ['Organization Name', 'Organisation Name', 'Household Name'],
  email: ['Email', 'Email Address'],
  phone: ['Phone'],
  street: ['Street Address'],
  city: ['City'],
  region: ['State/Province', 'State'],
  postcode: ['Postal Code', 'Zip Code'],
  country: ['Country'],
  // CiviCRM's privacy flags say only "do not": no consent is ever read from their absence.
  emailOptOut: ['Do Not Email', 'Is Opt Out', 'No Bulk Emails (User Opt Out)'],
  giftSourceId: ['Contribution ID', 'Internal Contribution ID'],
  amount: ['Total Amount', 'Amount'],
  currency: ['Currency'],
  receivedOn: ['Receive Date', 'Date Received', 'Contribution Date'],
  fund: ['Financial Type', 'Contribution Type'],
  paymentMethod: ['Payment Method', 'Payment Instrument'],
  transactionId: ['Transaction ID', 'Trxn ID'],
  checkNumber: ['Check Number', 'Cheque Number'],
  source: ['Source', 'Contribution Source'],
  campaign: ['Campaign', 'Campaign Title', 'Campaign Name'],
  status: ['Contribution Status', 'Status'],
  feeAmount: ['Fee Amount'],
  nonDeductibleAmount: ['Non-deductible Amount'],
  note: ['Note', 'Contribution Note'],
};

const NPSP: Aliases = {
  firstName: ['Contact1 First Name', 'Contact1 Firstname'],
  lastName: ['Contact1 Last Name', 'Contact1 Lastname'],
  email: ['Contact1 Personal Email', 'Contact1 Work Email', 'Contact1 Alternate Email'],
  phone: ['Contact1 Home Phone', 'Contact1 Mobile Phone', 'Contact1 Work Phone', 'Contact1 Other Phone'],
  organisationName: ['Account1 Name'],
  street: ['Home Street', 'Account1 Street'],
  city: ['Home City', 'Account1 City'],
  region: ['Home State/Province', 'Account1 State/Province'],
  postcode: ['Home Zip/Postal Code', 'Account1 Zip/Postal Code'],
  country: ['Home Country', 'Account1 Country'],
  emailOptOut: ['Contact1 Email Opt Out'],
  giftSourceId: ['Donation Imported', 'Donation ID'],
  amount: ['Donation Amount'],
  currency: ['Donation Currency', 'CurrencyIsoCode', 'Currency ISO Code'],
  receivedOn: ['Donation Date'],
  status: ['Donation Stage'],
  campaign: ['Donation Campaign Name'],
  fund: ['GAU Allocation 1 GAU', 'GAU Allocation 1 General Accounting Unit'],
  paymentMethod: ['Payment Method'],
  checkNumber: ['Payment Check/Reference Number'],
  note: ['Donation Description'],
  donor: ['Donation Donor'],
};

const LAYOUTS: Record<Exclude<ImportLayout, 'custom'>, Aliases> = { civicrm: CIVICRM, npsp: NPSP };

/** `Contact1_Firstname__c`, `npsp__Contact1_Firstname__c` and `Contact1 First Name` all -> `contact1firstname`. */
export function headerKey(header: string): string {
  return header
    .trim()
    .replace(/^npsp__/i, '')
    .replace(/__c$/i, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const INDEX = new Map(
  Object.entries(LAYOUTS).map(([layout, aliases]) => {
    const byKey = new Map<string, ImportField>();
    for (const [field, names] of Object.entries(aliases) as [ImportField, readonly string[]][]) {
      for (const name of names) byKey.set(headerKey(name), field);
    }
    return [layout as ImportLayout, byKey];
  }),
);

/**
 * The layout whose headers the file uses most; `custom` when none of its headers is known (the caller must
 * then give a mapping). An NPSP file shares "Payment Method" with CiviCRM, so the count decides.
 */
export function detectLayout(headers: readonly string[]): ImportLayout {
  let best: ImportLayout = 'custom';
  let bestScore = 0;
  for (const [layout, byKey] of INDEX) {
    const score = headers.filter((h) => byKey.has(headerKey(h))).length;
    if (score > bestScore) {
      best = layout;
      bestScore = score;
    }
  }
  return best;
}

/** The layout's mapping of these headers: known ones to their field, the rest to `null`. */
export function defaultMapping(layout: ImportLayout, headers: readonly string[]): ImportMapping {
  const byKey = INDEX.get(layout);
  const mapping: ImportMapping = {};
  for (const h of headers) mapping[h] = byKey?.get(headerKey(h)) ?? null;
  return mapping;
}
