import { sql } from 'drizzle-orm';
import { bigserial, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { AUDIT_OUTCOMES } from './audit.schema';

/**
 * Append-only, hash-chained record of authorisation decisions on S3/S4 data and of every change.
 * It names who, which record (by code), what action, when and the outcome: never a field's value.
 * Words: allowed/denied (an authorisation decision), succeeded/failed (a change was attempted).
 * A migration adds triggers that refuse UPDATE, DELETE and TRUNCATE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: text('actor_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceCode: text('resource_code'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    // Two entries chained to the same predecessor would be a fork: the database refuses it outright.
    uniqueIndex('audit_log_prev_hash_idx').on(t.prevHash),
    index('audit_log_actor_idx').on(t.actorId, t.seq),
    index('audit_log_resource_idx').on(t.resourceCode, t.seq),
    index('audit_log_action_idx').on(t.action, t.seq),
    index('audit_log_at_idx').on(t.at),
    check('audit_log_outcome_check', sql`${t.outcome} in ('allowed', 'denied', 'succeeded', 'failed')`),
  ],
);
