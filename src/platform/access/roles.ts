/**
 * Staff roles. A role says what kind of work someone does; it never opens a compartment by itself
 * (SECURITY.md rule 2). `supporter` is not a staff role: supporters sign in separately and can never
 * carry a staff permission.
 */
export const STAFF_ROLES = [
  'administrator',
  'security_lead',
  'rescue_coordinator',
  'field_partner',
  'resettlement_worker',
  'development',
  'outreach',
  'research_editor',
  'auditor',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const SUPPORTER_ROLE = 'supporter';
export type Role = StaffRole | typeof SUPPORTER_ROLE;

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

/** Roles whose work can open S4 data (identities, routes). Their sessions idle out after 15 minutes. */
export const S4_ROLES: readonly StaffRole[] = ['rescue_coordinator', 'field_partner', 'security_lead'];

/** Idle timeout per role, in minutes; overridable with PASSAGE_IDLE_MINUTES (`role=minutes,…`). */
export const DEFAULT_IDLE_MINUTES: Record<Role, number> = {
  administrator: 30,
  security_lead: 15,
  rescue_coordinator: 15,
  field_partner: 15,
  resettlement_worker: 30,
  development: 60,
  outreach: 60,
  research_editor: 60,
  auditor: 30,
  supporter: 120,
};

export function parseIdleOverrides(value: string | undefined): Partial<Record<Role, number>> {
  const result: Partial<Record<Role, number>> = {};
  if (!value) return result;
  for (const part of value.split(',')) {
    const [role, minutes] = part.split('=').map((s) => s.trim());
    const n = Number(minutes);
    if (
      !role ||
      !(isStaffRole(role) || role === SUPPORTER_ROLE) ||
      !Number.isInteger(n) ||
      n < 1 ||
      n > 720
    ) {
      throw new Error(
        `PASSAGE_IDLE_MINUTES must be a list like "rescue_coordinator=15,development=60" with known roles and 1–720 minutes (got "${part}")`,
      );
    }
    result[role as Role] = n;
  }
  return result;
}
