import { defineActions } from '../../platform/access/policy';

/*
 * Gifts and donors are S2. The development team records and corrects them; administrators may read and
 * run the ledger check; nobody else, and never a supporter account (the donor portal is its own path).
 */
export const GIVING_ACTIONS = {
  read: 'gift.read',
  record: 'gift.record',
  refund: 'gift.refund',
  manage: 'giving.manage',
  allocate: 'giving.allocate',
  check: 'giving.check',
} as const;

defineActions({
  [GIVING_ACTIONS.read]: { roles: { development: 'any', administrator: 'any' } },
  [GIVING_ACTIONS.record]: { roles: { development: 'any' }, audited: true },
  [GIVING_ACTIONS.refund]: { roles: { development: 'any' }, audited: true },
  [GIVING_ACTIONS.manage]: { roles: { development: 'any' }, audited: true },
  [GIVING_ACTIONS.allocate]: { roles: { development: 'any' }, audited: true },
  [GIVING_ACTIONS.check]: { roles: { development: 'any', administrator: 'any' } },
});

/*
 * Reports and year-end statements. Totals and retention are aggregates with no person in them: the
 * development team, administrators and auditors (who check the money) read them. Donor lists (LYBUNT,
 * SYBUNT, top donors) name people, so only the development team and administrators, and every such read
 * is audited. Sending the year's statements writes mail to every donor: the development team's call.
 */
export const GIVING_REPORT_ACTIONS = {
  totals: 'giving.report_totals',
  donors: 'giving.report_donors',
  sendStatements: 'giving.statements_send',
} as const;

defineActions({
  [GIVING_REPORT_ACTIONS.totals]: { roles: { development: 'any', administrator: 'any', auditor: 'any' } },
  [GIVING_REPORT_ACTIONS.donors]: { roles: { development: 'any', administrator: 'any' }, audited: true },
  [GIVING_REPORT_ACTIONS.sendStatements]: { roles: { development: 'any' }, audited: true },
});
