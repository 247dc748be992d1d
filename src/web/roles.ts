/** Staff roles, in the order the console lists them (the server's platform/access/roles.ts decides). */
export { S4_ROLES, STAFF_ROLES, type StaffRole } from '../platform/access/roles';

export const ACCOUNT_ADMINS = ['administrator'] as const;
export const ACCOUNT_GUARDS = ['administrator', 'security_lead'] as const;
export const AUDIT_READERS = ['auditor', 'security_lead'] as const;
