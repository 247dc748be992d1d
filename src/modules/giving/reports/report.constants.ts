/*
 * The reports' vocabulary as plain constants: no Zod, no Node, so the reports page offers the very choices
 * the server validates against (report.schema.ts builds its queries from them).
 */

export const REPORT_GROUPS = ['fund', 'campaign', 'month', 'currency'] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];
export const REPORT_FORMATS = ['json', 'csv'] as const;
export const LAPSED_KINDS = ['lybunt', 'sybunt'] as const;

/** The earliest and latest year a report may ask about (a typo like 20226 is refused, not scanned). */
export const FIRST_YEAR = 1990;
export const LAST_YEAR = 2200;

/** What the caller may do from a year's statements (`allowedActions`): send the missing ones. */
export const STATEMENT_ACTIONS = ['send'] as const;
