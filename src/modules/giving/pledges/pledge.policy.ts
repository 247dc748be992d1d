import { defineActions } from '../../../platform/access/policy';

/*
 * Sponsor pledges are S2 like every gift: the development team creates them, enters readings and issues,
 * settles or voids invoices (each write audited); administrators read them; nobody else.
 */
export const PLEDGE_ACTIONS = {
  read: 'pledge.read',
  write: 'pledge.write',
} as const;

defineActions({
  [PLEDGE_ACTIONS.read]: { roles: { development: 'any', administrator: 'any' } },
  [PLEDGE_ACTIONS.write]: { roles: { development: 'any' }, audited: true },
});
