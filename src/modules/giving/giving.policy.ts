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
