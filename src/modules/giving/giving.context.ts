import { authorize, type Subject } from '../../platform/access/policy';
import { appendAudit } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import type { Mailer } from '../../platform/mail/mailer';
import type { gifts } from './giving.table';

/*
 * What every giving service works in: the caller's transaction and who they are (`GivingContext`, built per
 * request by the platform's `staffWork`, src/platform/http/request-work.ts), the gift row, and the three steps each staff command takes: check the
 * action, do the work, audit it.
 */

export interface GivingContext {
  db: Db;
  subject: Subject;
  requestId: string | null;
  mail: Mailer;
}

export type GiftRow = typeof gifts.$inferSelect;

export function allow(gc: GivingContext, action: string): void {
  if (!authorize(gc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
}

export async function audit(gc: GivingContext, action: string, type: string, code: string): Promise<void> {
  await appendAudit(gc.db, {
    actorId: gc.subject.userId,
    actorRole: gc.subject.role,
    action,
    resourceType: type,
    resourceCode: code,
    outcome: 'succeeded',
    requestId: gc.requestId,
  });
}

/** What a gift charged: its amount and the fee its donor covered. */
export const giftTotal = (g: Pick<GiftRow, 'amountMinor' | 'feeMinor'>) => g.amountMinor + g.feeMinor;
/** The rows of a raw `execute` (both engines answer `{ rows }`). */
export const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;
