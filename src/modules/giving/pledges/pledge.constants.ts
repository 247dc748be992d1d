/*
 * Pledges' vocabulary as plain constants: no Zod, no Node, so the Pledges page imports the very lists the
 * server validates against (pledge.schema.ts builds its schemas from them).
 */

export const PLEDGE_KINDS = ['per_unit', 'matching'] as const;
export type PledgeKind = (typeof PLEDGE_KINDS)[number];
export const INVOICE_STATUSES = ['issued', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export const READING_SOURCES = ['manual', 'import'] as const;

/** The most readings one CSV may carry, and its size: a sponsor's monthly export, not a data dump. */
export const MAX_READING_LINES = 2_000;
export const MAX_READINGS_CSV_CHARS = 200_000;
/** The largest reading: 10^12 views (keeps rate × total far inside a bigint). */
export const MAX_READING_VALUE = 1_000_000_000_000;

/*
 * What the caller may do, as the pledge reads answer it in `allowedActions` (pledge.routes.ts, from
 * pledge.policy.ts and the record's state).
 */
/** The list: create a pledge. */
export const PLEDGE_LIST_ACTIONS = ['create'] as const;
/** A pledge: enter or import readings (a per-unit pledge), invoice what is due. */
export const PLEDGE_ITEM_ACTIONS = ['addReading', 'issueInvoice'] as const;
/** An invoice: record its payment, or void it (while issued). */
export const INVOICE_ACTIONS = ['markPaid', 'void'] as const;
