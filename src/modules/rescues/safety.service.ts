import { and, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../platform/db/client';
import { CODE_NAME_PATTERN } from './code-name';
import { rescueCases } from './rescue.table';
import { runAsSystem } from './rescue-access';

/**
 * Whether and when cases reached safety (arrived in their destination country), by code: the month only
 * (`2026-08`), and only for the codes asked. Giving uses it for its delayed, de-identified updates to the
 * donors of a campaign ("a rescue you helped fund reached safety"); nothing else about a case crosses, and
 * a code that is unknown, malformed or not yet safe is simply absent from the answer. Runs as the system
 * (every compartment) for its own transaction, like `allocateFunding`.
 */
export async function safetyReachedByCode(root: Db, codes: readonly string[]): Promise<Map<string, string>> {
  const asked = [...new Set(codes)].filter((c) => CODE_NAME_PATTERN.test(c));
  if (asked.length === 0) return new Map();
  const rows = await runAsSystem(root, (db) =>
    db
      .select({ code: rescueCases.code, arrivedAt: rescueCases.arrivedAt })
      .from(rescueCases)
      .where(and(inArray(rescueCases.code, asked), isNotNull(rescueCases.arrivedAt))),
  );
  // The month in UTC, computed here: the exact day never leaves this module.
  return new Map(
    rows.flatMap((r) => (r.arrivedAt ? [[r.code, r.arrivedAt.toISOString().slice(0, 7)] as const] : [])),
  );
}
