/**
 * The commit of an import: validated rows (`readImport`) to supporters and gifts, inside the caller's
 * transaction. An imported gift is a historical offline gift, written exactly as posting a batch leaves one:
 * a settled gift, its `gift` ledger entry, its receipt row and its fund's balance (a refunded row also gets
 * its opposite `refund` entry). What differs is the speed and one thing on purpose: no receipt email, because
 * the donor was thanked by the system the file came from years ago. Rows are written a thousand per
 * statement, supporters looked up once per rule for the whole file, and fund balances moved once per fund and
 * currency with the sum of the file's entries.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { inJsonList, insertJsonRows } from '../../../platform/db/bulk-insert';
import type { Db } from '../../../platform/db/client';
import {
  insertConsents,
  insertSupporters,
  matchSupporters,
  type NewSupporter,
  supportersWithConsentStatement,
} from '../../people';
import { campaigns, fundBalances, funds, gifts, ledgerEntries, receipts } from '../giving.table';
import { receiptNumber } from '../receipts/receipt.service';
import type { ImportLayout } from './gift-import.layouts';
import type { ImportContact, ImportGift, ImportRow } from './gift-import.row';

/** Rows per statement: each batch travels as one JSON parameter (platform/db/bulk-insert). */
const CHUNK = 2500;
const LOOKUP_CHUNK = 20_000;
export const DEFAULT_IMPORT_FUND = 'most-needed';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const fold = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

// ── what a row becomes ──────────────────────────────────────────────────────────────────────────────

/** The name a supporter created from this contact is listed under. */
export function contactDisplayName(c: ImportContact): string {
  const person = [c.firstName, c.lastName].filter(Boolean).join(' ');
  const name = c.kind === 'individual' ? person || c.organisationName : c.organisationName || person;
  return name || c.email || `Imported contact ${c.sourceId ?? c.externalId ?? ''}`.trim();
}

/**
 * Rows that name the same contact become one supporter: the source system's contact id first, then the
 * email, the external identifier, name and postcode, phone, and the name alone (only within one file: the
 * database is matched by the people module's duplicate rules, never by a name alone).
 */
export function contactKey(c: ImportContact): string {
  if (c.sourceId) return `id:${c.sourceId}`;
  if (c.email) return `email:${fold(c.email)}`;
  if (c.externalId) return `ext:${c.externalId}`;
  const name = fold(contactDisplayName(c));
  if (c.postcode) return `np:${c.kind}:${name}:${fold(c.postcode).replace(/ /g, '')}`;
  if (c.phone) return `phone:${c.phone.replace(/[^0-9]/g, '')}`;
  return `name:${c.kind}:${name}`;
}

/**
 * Each gift row's `external_ref`: `<layout>:<the source system's gift id>`, else `<layout>:trxn:<transaction
 * id>`, else `<layout>:row:<fingerprint>` of the contact, date, amount, currency, fund, campaign and status,
 * with the count of identical rows before it (two equal gifts on one day stay two). The unique index on it
 * is what makes a second import of the same file write nothing twice.
 */
export function externalRefs(layout: ImportLayout, rows: readonly ImportRow[]): (string | null)[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const g = row.gift;
    if (!g) return null;
    if (g.sourceId) return `${layout}:${g.sourceId}`;
    if (g.transactionId) return `${layout}:trxn:${g.transactionId}`;
    const facts = JSON.stringify([
      contactKey(row.contact),
      g.receivedOn,
      g.amountMinor.toString(),
      g.currency,
      g.fund ? fold(g.fund) : '',
      g.campaign ? fold(g.campaign) : '',
      g.status,
    ]);
    const n = seen.get(facts) ?? 0;
    seen.set(facts, n + 1);
    const hash = crypto.createHash('sha256').update(`${facts}#${n}`).digest('hex').slice(0, 32);
    return `${layout}:row:${hash}`;
  });
}

const METHODS: Record<string, string> = {
  check: 'cheque',
  cheque: 'cheque',
  cash: 'cash',
  creditcard: 'card',
  debitcard: 'card',
  card: 'card',
  eft: 'wire',
  acheft: 'wire',
  ach: 'wire',
  wire: 'wire',
  wiretransfer: 'wire',
  banktransfer: 'wire',
  daf: 'daf',
  donoradvisedfund: 'daf',
  stock: 'stock',
  securities: 'stock',
};

/** CiviCRM's and NPSP's payment methods to Passage's; anything else is `other`. */
export function giftMethodOf(paymentMethod: string | undefined): string {
  if (!paymentMethod) return 'other';
  return METHODS[paymentMethod.toLowerCase().replace(/[^a-z]/g, '')] ?? 'other';
}

// ── funds and campaigns named in the file ───────────────────────────────────────────────────────────

export interface ImportTargets {
  /** Every distinct fund value of the file, and the fund its gifts go to. */
  funds: { value: string; fund: string }[];
  /** Every distinct campaign value, and the campaign found (null: its gifts go without a campaign). */
  campaigns: { value: string; campaign: string | null }[];
  /** Where a gift that names no fund (or an unknown one) goes, unless its campaign has a fund. */
  defaultFund: string;
  /** Why the file cannot be committed here (the default fund does not exist). */
  problems: string[];
  fundIdOf(gift: ImportGift): string;
  campaignIdOf(gift: ImportGift): string | null;
}

/**
 * Matches the file's fund values (CiviCRM's financial type, NPSP's GAU) and campaign names to Passage's
 * funds and campaigns by code or name, ignoring case. A fund Passage does not have ("Donation", CiviCRM's
 * default) sends the gift to the campaign's fund, else to the default fund; an unknown campaign leaves the
 * gift without one. The dry run lists every value with where it goes, so nothing is decided silently.
 */
export async function resolveImportTargets(
  db: Db,
  rows: readonly ImportRow[],
  defaultFundCode = DEFAULT_IMPORT_FUND,
): Promise<ImportTargets> {
  const fundRows = await db.select({ id: funds.id, code: funds.code, name: funds.name }).from(funds);
  const campaignRows = await db
    .select({ id: campaigns.id, code: campaigns.code, name: campaigns.name, fundId: campaigns.fundId })
    .from(campaigns);
  const fundBy = new Map<string, (typeof fundRows)[number]>();
  for (const f of fundRows) {
    fundBy.set(fold(f.code), f);
    if (!fundBy.has(fold(f.name))) fundBy.set(fold(f.name), f);
  }
  const campaignBy = new Map<string, (typeof campaignRows)[number]>();
  for (const c of campaignRows) {
    campaignBy.set(fold(c.code), c);
    if (!campaignBy.has(fold(c.name))) campaignBy.set(fold(c.name), c);
  }
  const fundCodeById = new Map(fundRows.map((f) => [f.id, f.code]));
  const fallback = fundBy.get(fold(defaultFundCode));
  const problems = fallback
    ? []
    : [`there is no fund ${JSON.stringify(defaultFundCode)} for gifts that name no fund Passage has`];

  const campaignOf = (g: ImportGift) => (g.campaign ? campaignBy.get(fold(g.campaign)) : undefined);
  const fundIdOf = (g: ImportGift): string =>
    (g.fund ? fundBy.get(fold(g.fund))?.id : undefined) ?? campaignOf(g)?.fundId ?? fallback?.id ?? '';

  const fundValues = new Map<string, string>();
  const campaignValues = new Map<string, string | null>();
  for (const row of rows) {
    const g = row.gift;
    if (!g) continue;
    if (g.fund && !fundValues.has(g.fund)) fundValues.set(g.fund, fundCodeById.get(fundIdOf(g)) ?? '');
    if (g.campaign && !campaignValues.has(g.campaign))
      campaignValues.set(g.campaign, campaignOf(g)?.code ?? null);
  }
  return {
    funds: [...fundValues].map(([value, fund]) => ({ value, fund })),
    campaigns: [...campaignValues].map(([value, campaign]) => ({ value, campaign })),
    defaultFund: defaultFundCode,
    problems,
    fundIdOf,
    campaignIdOf: (g) => campaignOf(g)?.id ?? null,
  };
}

/** The external refs among `refs` that gifts already carry. */
export async function importedRefs(db: Db, refs: readonly (string | null)[]): Promise<Set<string>> {
  const out = new Set<string>();
  const wanted = refs.filter((r): r is string => r !== null);
  for (const part of chunks(wanted, LOOKUP_CHUNK)) {
    const rows = await db
      .select({ ref: gifts.externalRef })
      .from(gifts)
      .where(inJsonList(gifts.externalRef, part));
    for (const r of rows) if (r.ref) out.add(r.ref);
  }
  return out;
}

// ── the commit ──────────────────────────────────────────────────────────────────────────────────────

export interface CommitProgress {
  /** Rows written so far (gifts, or contacts for a contacts-only file), of `total`. */
  done: number;
  total: number;
}

export interface CommitRowsOptions {
  layout: ImportLayout;
  importRunId: string;
  /** The staff member's user id (null from the command line). */
  createdBy: string | null;
  defaultFundCode?: string;
  onProgress?: (progress: CommitProgress) => void;
}

export interface CommitCounts {
  /** Rows given to the commit (the good rows). */
  rows: number;
  giftsCreated: number;
  /** Of those: settled (counted in the ledger), refunded (settled then returned), failed or cancelled. */
  giftsSettled: number;
  giftsRefunded: number;
  giftsFailed: number;
  /** Rows whose gift an earlier import wrote (same external ref): skipped. */
  giftsAlreadyImported: number;
  /** Pending rows (a promise, not money): not imported; enter the gift when it arrives. */
  giftsPendingSkipped: number;
  supportersCreated: number;
  supportersMatched: number;
  consentStatements: number;
}

/**
 * Writes the rows in the caller's transaction: supporters (matched or created), consent where the file
 * states it, gifts with their ledger entries, receipts (never mailed) and fund balances. Call it only with
 * a committable result; any database error propagates and the caller's transaction undoes everything.
 */
export async function commitImportRows(
  tx: Db,
  rows: readonly ImportRow[],
  options: CommitRowsOptions,
): Promise<CommitCounts> {
  const counts: CommitCounts = {
    rows: rows.length,
    giftsCreated: 0,
    giftsSettled: 0,
    giftsRefunded: 0,
    giftsFailed: 0,
    giftsAlreadyImported: 0,
    giftsPendingSkipped: 0,
    supportersCreated: 0,
    supportersMatched: 0,
    consentStatements: 0,
  };
  const refs = externalRefs(options.layout, rows);
  const already = await importedRefs(tx, refs);

  // Rows to write: all but gifts imported before. A pending gift is a promise, not money: its contact is
  // imported, the gift is not.
  const todo: { row: ImportRow; ref: string | null; gift: boolean }[] = [];
  rows.forEach((row, i) => {
    const ref = refs[i] ?? null;
    if (row.gift && ref && already.has(ref)) counts.giftsAlreadyImported++;
    else {
      const pending = row.gift?.status === 'pending';
      if (pending) counts.giftsPendingSkipped++;
      todo.push({ row, ref, gift: !!row.gift && !pending });
    }
  });
  const total = todo.length;
  options.onProgress?.({ done: 0, total });

  const targets = await resolveImportTargets(tx, rows, options.defaultFundCode);
  if (targets.problems.length && todo.some((t) => t.gift)) throw new Error(targets.problems.join('; '));

  // Supporters: one per contact key, matched by the people module's rules or created.
  const groups = new Map<string, { contact: ImportContact; consent?: boolean }>();
  const keyOf = todo.map(({ row }) => {
    const key = contactKey(row.contact);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        contact: { ...row.contact },
        ...(row.contact.emailConsent !== undefined ? { consent: row.contact.emailConsent } : {}),
      });
    } else {
      // Later rows fill what earlier ones left empty; the first statement about email stands.
      for (const [k, v] of Object.entries(row.contact) as [keyof ImportContact, never][])
        if (group.contact[k] === undefined) group.contact[k] = v;
      if (group.consent === undefined && row.contact.emailConsent !== undefined)
        group.consent = row.contact.emailConsent;
    }
    return key;
  });
  const groupList = [...groups.values()];
  const asSupporter = (c: ImportContact): NewSupporter => ({
    kind: c.kind,
    displayName: contactDisplayName(c),
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    phone: c.phone,
    postcode: c.postcode,
  });
  const matched = await matchSupporters(
    tx,
    groupList.map((g) => asSupporter(g.contact)),
  );
  const toCreate = groupList.filter((_, i) => matched[i] === null);
  const createdIds = await insertSupporters(
    tx,
    toCreate.map((g) => asSupporter(g.contact)),
    options.createdBy,
  );
  const created = new Set(createdIds);
  const supporterOf = new Map<string, string>();
  let next = 0;
  groupList.forEach((g, i) => {
    const id = matched[i] ?? (createdIds[next++] as string);
    supporterOf.set(contactKey(g.contact), id);
  });
  counts.supportersCreated = createdIds.length;
  counts.supportersMatched = groupList.length - createdIds.length;

  // Consent only where the file states it; an existing supporter's own statements are never overridden.
  const stating = groupList.filter((g) => g.consent !== undefined);
  if (stating.length) {
    const ids = stating.map((g) => supporterOf.get(contactKey(g.contact)) as string);
    const hasStatement = await supportersWithConsentStatement(
      tx,
      ids.filter((id) => !created.has(id)),
      'email',
    );
    const statements = stating.flatMap((g, i) => {
      const supporterId = ids[i] as string;
      return hasStatement.has(supporterId)
        ? []
        : [
            {
              supporterId,
              channel: 'email' as const,
              granted: g.consent === true,
              method: 'import' as const,
            },
          ];
    });
    await insertConsents(tx, statements, options.createdBy);
    counts.consentStatements = statements.length;
  }

  // Gifts, a thousand a statement, each with its entries and receipt.
  const balances = new Map<string, { fundId: string; currency: string; delta: number }>();
  const numbers = new Set<string>();
  const giftTodo = todo.map((t, i) => ({ ...t, key: keyOf[i] as string })).filter((t) => t.gift);
  let done = todo.length - giftTodo.length;
  if (done) options.onProgress?.({ done, total });
  for (const part of chunks(giftTodo, CHUNK)) {
    const values = await giftValues(tx, part, numbers, supporterOf, targets, options);
    // A gift another import wrote meanwhile stops at the unique external ref instead of failing the commit.
    const inserted = await insertJsonRows<typeof gifts, (typeof GIFT_COLUMNS)[number], { id: string }>(
      tx,
      gifts,
      GIFT_COLUMNS,
      values,
      sql`on conflict (external_ref) do nothing returning id`,
    );
    const written = new Set(inserted.map((r) => r.id));
    counts.giftsAlreadyImported += values.length - written.size;
    const entries: EntryInsert[] = [];
    const receiptRows: ReceiptInsert[] = [];
    for (const g of values) {
      if (!written.has(g.id)) continue;
      counts.giftsCreated++;
      if (g.status === 'failed') {
        counts.giftsFailed++;
        continue;
      }
      const entry = {
        giftId: g.id,
        fundId: g.fundId,
        campaignId: g.campaignId ?? null,
        currency: g.currency,
        createdBy: options.createdBy,
      };
      entries.push({
        id: crypto.randomUUID(),
        groupId: crypto.randomUUID(),
        kind: 'gift',
        amountMinor: g.amountMinor,
        ...entry,
      });
      receiptRows.push({
        id: crypto.randomUUID(),
        giftId: g.id,
        number: receiptNumber({ id: g.id, settledAt: g.settledAt ?? null }),
        amountMinor: g.amountMinor,
        currency: g.currency,
        outboxId: null,
      });
      let kept = g.amountMinor;
      if (g.status === 'refunded') {
        counts.giftsRefunded++;
        entries.push({
          id: crypto.randomUUID(),
          groupId: crypto.randomUUID(),
          kind: 'refund',
          amountMinor: -g.amountMinor,
          ...entry,
        });
        kept = 0;
      } else counts.giftsSettled++;
      const key = `${g.fundId}\u0000${g.currency}`;
      const balance = balances.get(key) ?? { fundId: g.fundId, currency: g.currency, delta: 0 };
      balance.delta += kept;
      balances.set(key, balance);
    }
    await insertJsonRows(tx, ledgerEntries, ENTRY_COLUMNS, entries);
    await insertJsonRows(tx, receipts, RECEIPT_COLUMNS, receiptRows);
    done += part.length;
    options.onProgress?.({ done, total });
  }

  // Each fund's balance moves once, by the sum of the entries written to it (a refunded gift's fund and
  // currency get their row even at zero, as posting it one entry at a time would leave).
  for (const b of balances.values()) {
    await tx
      .insert(fundBalances)
      .values({ fundId: b.fundId, currency: b.currency, balanceMinor: b.delta })
      .onConflictDoUpdate({
        target: [fundBalances.fundId, fundBalances.currency],
        set: { balanceMinor: sql`${fundBalances.balanceMinor} + ${b.delta}`, updatedAt: new Date() },
      });
  }
  return counts;
}

const GIFT_COLUMNS = [
  'id',
  'supporterId',
  'amountMinor',
  'feeMinor',
  'currency',
  'fundId',
  'campaignId',
  'status',
  'source',
  'method',
  'importRunId',
  'externalRef',
  'fairMarketValueMinor',
  'refundedMinor',
  'receivedOn',
  'settledAt',
  'createdBy',
] as const;
interface GiftInsert {
  id: string;
  supporterId: string;
  amountMinor: number;
  feeMinor: number;
  currency: string;
  fundId: string;
  campaignId: string | null;
  status: string;
  source: string;
  method: string;
  importRunId: string;
  externalRef: string | null;
  fairMarketValueMinor: number;
  refundedMinor: number;
  receivedOn: Date;
  settledAt: Date | null;
  createdBy: string | null;
}
const ENTRY_COLUMNS = [
  'id',
  'groupId',
  'giftId',
  'fundId',
  'campaignId',
  'kind',
  'amountMinor',
  'currency',
  'createdBy',
] as const;
type EntryInsert = Record<(typeof ENTRY_COLUMNS)[number], unknown>;
const RECEIPT_COLUMNS = ['id', 'giftId', 'number', 'amountMinor', 'currency', 'outboxId'] as const;
type ReceiptInsert = Record<(typeof RECEIPT_COLUMNS)[number], unknown>;

/**
 * One chunk's gift rows. Ids are drawn so that no two receipts share a number (`R-<year>-<first eight hex
 * digits of the id>`): an id whose number is taken, in this import or in the database, is drawn again.
 */
async function giftValues(
  tx: Db,
  part: readonly { row: ImportRow; ref: string | null; key: string }[],
  numbers: Set<string>,
  supporterOf: ReadonlyMap<string, string>,
  targets: ImportTargets,
  options: CommitRowsOptions,
): Promise<GiftInsert[]> {
  const values: GiftInsert[] = part.map(({ row, ref, key }) => {
    const g = row.gift as ImportGift;
    const receivedOn = new Date(`${g.receivedOn}T00:00:00Z`);
    const counted = g.status === 'settled' || g.status === 'refunded';
    const amountMinor = Number(g.amountMinor);
    return {
      id: crypto.randomUUID(),
      supporterId: supporterOf.get(key) as string,
      amountMinor,
      feeMinor: 0,
      currency: g.currency,
      fundId: targets.fundIdOf(g),
      campaignId: targets.campaignIdOf(g),
      // Failed and cancelled gifts are kept for the donor's history; they never reach the ledger.
      status: g.status === 'settled' || g.status === 'refunded' ? g.status : 'failed',
      source: 'offline',
      method: giftMethodOf(g.paymentMethod),
      importRunId: options.importRunId,
      externalRef: ref,
      fairMarketValueMinor: Number(g.nonDeductibleMinor ?? 0n),
      refundedMinor: g.status === 'refunded' ? amountMinor : 0,
      receivedOn,
      // Settled when the money arrived, years ago perhaps: reports by month and year-end statements agree.
      settledAt: counted ? receivedOn : null,
      createdBy: options.createdBy,
    };
  });
  for (;;) {
    const clash = new Set<string>();
    const fresh = values.filter((v) => v.settledAt);
    const candidates = fresh.map((v) => receiptNumber({ id: v.id, settledAt: v.settledAt ?? null }));
    const taken = candidates.length
      ? await tx
          .select({ number: receipts.number })
          .from(receipts)
          .where(inJsonList(receipts.number, candidates))
      : [];
    const inDb = new Set(taken.map((t) => t.number));
    const inChunk = new Set<string>();
    fresh.forEach((v, i) => {
      const n = candidates[i] as string;
      if (inDb.has(n) || numbers.has(n) || inChunk.has(n)) clash.add(v.id);
      inChunk.add(n);
    });
    if (clash.size === 0) {
      for (const n of candidates) numbers.add(n);
      return values;
    }
    for (const v of values) if (clash.has(v.id)) v.id = crypto.randomUUID();
  }
}
