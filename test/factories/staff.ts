import type { Subject } from '../../src/platform/access/policy';
import type { Role } from '../../src/platform/access/roles';

/**
 * A caller for a service test: a role, its compartments and no step-up. No account is made (for a
 * signed-in actor through the routes, see test/harness/actors.ts).
 */
export function buildStaff(
  role: Role,
  options: { userId?: string; compartments?: Iterable<string>; stepUpAt?: Date | null } = {},
): Subject {
  return {
    userId: options.userId ?? `test-${role}`,
    role,
    compartments: new Set(options.compartments ?? []),
    stepUpAt: options.stepUpAt ?? null,
  };
}
