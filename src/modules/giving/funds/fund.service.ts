import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { allow, audit, type GivingContext } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import type { FundInput } from '../giving.schema';
import { fundBalances, funds } from '../giving.table';

// Funds: where money may be spent, each with its running balance per currency (written by the ledger).

export async function fundByCode(db: Db, code: string) {
  const [row] = await db.select().from(funds).where(eq(funds.code, code));
  if (!row) throw AppError.invalid(`fund: no fund with the code ${code}`);
  return row;
}

/** Inserts a fund without an access check (the seeder). */
export async function insertFund(db: Db, input: FundInput) {
  const [existing] = await db.select({ id: funds.id }).from(funds).where(eq(funds.code, input.code));
  if (existing) throw AppError.conflict(`A fund with the code ${input.code} exists.`);
  const [row] = await db
    .insert(funds)
    .values({
      id: crypto.randomUUID(),
      code: input.code,
      name: input.name,
      restricted: input.restricted,
      description: input.description ?? null,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function createFund(gc: GivingContext, input: FundInput) {
  allow(gc, GIVING_ACTIONS.manage);
  const row = await insertFund(gc.db, input);
  await audit(gc, 'fund.create', 'fund', row.code);
  return row;
}

export async function listFunds(gc: GivingContext) {
  allow(gc, GIVING_ACTIONS.read);
  const rows = await gc.db.select().from(funds).orderBy(asc(funds.code));
  const balances = await gc.db.select().from(fundBalances);
  return {
    funds: rows.map((f) => ({
      ...f,
      balances: balances
        .filter((b) => b.fundId === f.id)
        .map((b) => ({ currency: b.currency, balanceMinor: b.balanceMinor })),
    })),
  };
}
