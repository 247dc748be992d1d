import type { Actor } from '../auth/actor';
import { isStaffRole, type Role, type StaffRole } from './roles';

/**
 * Authorisation: deny by default. An action is allowed when the caller's role is granted it AND, for a
 * record in a compartment, the caller is an explicit member of that compartment (SECURITY.md rule 2), AND,
 * for a record assigned to someone (a field partner's leg), the caller is that someone when the grant
 * says "assigned only". Modules declare their actions and grants once, at import time.
 */
export type Grant = 'any' | 'assigned';

export interface ActionDefinition {
  /** Roles granted the action, and whether only on records assigned to them. */
  roles: Partial<Record<Role, Grant>>;
  /** The action needs a re-authentication within the last 5 minutes (S4 reads, exports). */
  stepUp?: boolean;
  /** Decisions on this action are written to the audit log (S3/S4 data). */
  audited?: boolean;
}

const actions = new Map<string, ActionDefinition>();

/** Declares actions; a name may be declared once (a second declaration is a bug). */
export function defineActions(definitions: Record<string, ActionDefinition>): void {
  for (const [name, definition] of Object.entries(definitions)) {
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(name))
      throw new Error(`action name ${name} must look like thing.verb`);
    if (actions.has(name)) throw new Error(`action ${name} is declared twice`);
    actions.set(name, definition);
  }
}

export function actionDefinition(name: string): ActionDefinition | undefined {
  return actions.get(name);
}

/** The caller as policy sees them: who, which role, which compartments they are a member of. */
export interface Subject {
  userId: string;
  role: Role;
  compartments: ReadonlySet<string>;
  stepUpAt: Date | null;
}

export function subjectOf(actor: Actor, compartments: Iterable<string>): Subject {
  return {
    userId: actor.userId,
    role: actor.role as Role,
    compartments: new Set(compartments),
    stepUpAt: actor.stepUpAt,
  };
}

export interface Resource {
  type: string;
  /** The record's code (for the audit log), never a name. */
  code?: string | null;
  compartmentId?: string | null;
  /** Who the record is assigned to (a leg's field partner), when that matters. */
  assigneeId?: string | null;
}

export type DenyReason = 'unknown_action' | 'role' | 'compartment' | 'assignment' | 'step_up';
export type Decision = { allowed: true } | { allowed: false; reason: DenyReason };

export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

/** The subject confirmed who they are (step-up) within the window: never true for an API token. */
export function steppedUp(subject: Pick<Subject, 'stepUpAt'>, now = new Date()): boolean {
  return subject.stepUpAt !== null && now.getTime() - subject.stepUpAt.getTime() <= STEP_UP_WINDOW_MS;
}

export function authorize(subject: Subject, action: string, resource?: Resource, now = new Date()): Decision {
  const definition = actions.get(action);
  if (!definition) return { allowed: false, reason: 'unknown_action' };
  const grant = definition.roles[subject.role];
  if (!grant) return { allowed: false, reason: 'role' };
  // A record is in a compartment whenever it names one: an empty id is a broken record, not a public one.
  const compartmentId = resource?.compartmentId;
  if (compartmentId !== undefined && compartmentId !== null) {
    // Supporters never hold a staff permission, even if a definition lists them by mistake.
    if (!isStaffRole(subject.role) || compartmentId === '' || !subject.compartments.has(compartmentId)) {
      return { allowed: false, reason: 'compartment' };
    }
  }
  if (grant === 'assigned' && resource?.assigneeId !== subject.userId)
    return { allowed: false, reason: 'assignment' };
  if (definition.stepUp && !steppedUp(subject, now)) return { allowed: false, reason: 'step_up' };
  return { allowed: true };
}

/** Of the given actions, those the subject may take on the resource: for the UI to hide the rest. */
export function allowedActions(
  subject: Subject,
  resource: Resource,
  candidates: readonly string[],
): string[] {
  return candidates.filter((action) => authorize(subject, action, resource).allowed);
}

/**
 * Field-level access: each field of a presented record names the action that reveals it. The response is
 * built from the fields the caller may see; a hidden field is absent, not blanked, so nothing leaks by shape.
 */
export type FieldRules<T> = { [K in keyof T]?: string | null };

export function present<T extends Record<string, unknown>>(
  subject: Subject,
  resource: Resource,
  record: T,
  rules: FieldRules<T>,
): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(rules) as (keyof T)[]) {
    const action = rules[key];
    if (action === null || action === undefined || authorize(subject, action, resource).allowed)
      out[key] = record[key];
  }
  return out;
}

/** The roles granted an action (for documentation and the authorisation matrix). */
export function rolesFor(action: string): StaffRole[] {
  const definition = actions.get(action);
  return definition ? (Object.keys(definition.roles).filter(isStaffRole) as StaffRole[]) : [];
}
