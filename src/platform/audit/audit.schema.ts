import { z } from 'zod';

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'succeeded', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * What an audit entry may hold. The patterns keep values out: an action or resource type is a dotted
 * lower-case name, a resource is named by its code, never by a person's name or a field's value.
 */
const name = (example: string) =>
  z
    .string()
    .max(100, `a name such as "${example}" (at most 100 characters)`)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, `a lower-case name such as "${example}"`);

const code = z
  .string()
  .max(100, 'a code of at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'a code of letters, digits and _ . : - (no spaces)');

/**
 * A record's id as a request names it (a URL segment or a body field): what the audit log can record as a
 * resource or actor. Every id Passage makes (UUIDs, better-auth's ids, case codes) fits; anything else is
 * refused at the door (400), not when a denial of it is audited (that was a 500).
 */
export const RecordIdSchema = z
  .string()
  .min(1, 'is required')
  .max(100, 'is malformed')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'is malformed');

export const AuditEntrySchema = z.object({
  actorId: code.nullable(),
  actorRole: name('case_officer').nullable(),
  action: name('rescue_case.read'),
  resourceType: name('rescue_case'),
  resourceCode: code.nullable().default(null),
  outcome: z.enum(AUDIT_OUTCOMES, { error: `one of ${AUDIT_OUTCOMES.join(', ')}` }),
  requestId: code.nullable().default(null),
});
export type AuditEntryInput = z.input<typeof AuditEntrySchema>;

/** Filters of the console's audit page; every one optional, newest first, paged by `beforeSeq`. */
export const AuditSearchSchema = z.object({
  actorId: code.optional(),
  action: name('rescue_case.read').optional(),
  resourceCode: code.optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { error: `one of ${AUDIT_OUTCOMES.join(', ')}` }).optional(),
  from: z.coerce.date({ error: 'a date and time such as 2025-01-31T00:00:00Z' }).optional(),
  to: z.coerce.date({ error: 'a date and time such as 2025-01-31T00:00:00Z' }).optional(),
  limit: z.coerce
    .number({ error: 'a whole number from 1 to 200' })
    .int('a whole number from 1 to 200')
    .min(1, 'a whole number from 1 to 200')
    .max(200, 'a whole number from 1 to 200')
    .default(50),
  beforeSeq: z.coerce
    .number({ error: 'a positive whole number' })
    .int('a positive whole number')
    .positive('a positive whole number')
    .optional(),
});
export type AuditSearchInput = z.input<typeof AuditSearchSchema>;
