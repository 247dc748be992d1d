import { defineActions } from '../../platform/access/policy';

/*
 * Supporters are S2 (donor personal data): the development team works with them; an administrator may
 * read. No other staff role, and no supporter, sees another person's record.
 */
export const PEOPLE_ACTIONS = {
  read: 'supporter.read',
  write: 'supporter.write',
  merge: 'supporter.merge',
} as const;

defineActions({
  [PEOPLE_ACTIONS.read]: { roles: { development: 'any', administrator: 'any' } },
  [PEOPLE_ACTIONS.write]: { roles: { development: 'any' }, audited: true },
  [PEOPLE_ACTIONS.merge]: { roles: { development: 'any' }, audited: true },
});
