import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mergeSupporter, readSummaries, readTimeline } from '../../../../test/factories';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { seedSettledGift } from '../batches/batch.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { donorUpdates, gifts, recurringGifts, yearEndStatements } from '../giving.table';
import { refundGift } from '../ledger/gift.service';
import { givingSummaryFor, givingTimelineFor } from './timeline';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

describeEachDatabase('giving on the supporter timeline', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let db: Db;
  let fundId = '';
  const gc = (): GivingContext => ({ db, subject: development, requestId: null, mail: t.ctx.mail });
  const donor = (lastName: string) =>
    insertSupporter(db, { kind: 'individual', firstName: 'Giving', lastName }, null);
  const gift = (supporterId: string, amountMinor: number, day: string, currency: 'USD' | 'KRW' = 'USD') =>
    seedSettledGift(db, {
      supporterId,
      amountMinor,
      currency,
      fundId,
      campaignId: null,
      method: 'cheque',
      receivedOn: new Date(`${day}T12:00:00Z`),
    });
  async function monthlyGift(supporterId: string, createdAt: string) {
    const id = crypto.randomUUID();
    await db.insert(recurringGifts).values({
      id,
      supporterId,
      amountMinor: 5_000,
      currency: 'USD',
      fundId,
      provider: 'sandbox',
      status: 'active',
      dayOfMonth: 3,
      createdAt: new Date(createdAt),
    });
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    fundId = (await insertFund(db, { code: 'timeline-fund', name: 'Rescue fund', restricted: true })).id;
  }, 90_000);
  afterAll(async () => t?.close());

  it('tells gifts settled, refunded and failed, receipts, monthly gifts, statements and updates', async () => {
    const s = await donor('Everything');
    const settled = await gift(s.id, 25_000, '2025-03-10');
    await refundGift(gc(), settled, 5_000);
    const failedId = crypto.randomUUID();
    await db.insert(gifts).values({
      id: failedId,
      supporterId: s.id,
      amountMinor: 1_000,
      currency: 'USD',
      fundId,
      status: 'failed',
      source: 'online',
      method: 'card',
      provider: 'sandbox',
      updatedAt: new Date('2025-04-01T00:00:00Z'),
    });
    const monthly = await monthlyGift(s.id, '2025-05-01T00:00:00Z');
    // As recurring.service.ts records them: a pause by the donor, a resume by staff; then a cancellation.
    for (const [action, actorRole] of [
      ['recurring_gift.pause', 'supporter'],
      ['recurring_gift.resume', 'development'],
    ] as const)
      await appendAudit(db, {
        actorId: 'dev-1',
        actorRole,
        action,
        resourceType: 'recurring_gift',
        resourceCode: monthly,
        outcome: 'succeeded',
      });
    await db
      .update(recurringGifts)
      .set({ status: 'cancelled', cancelledAt: new Date(), cancelledBy: 'donor', nextChargeAt: null })
      .where(eq(recurringGifts.id, monthly));
    await db.insert(yearEndStatements).values({
      id: crypto.randomUUID(),
      supporterId: s.id,
      year: 2025,
      totals: JSON.stringify({ USD: 20_000 }),
      issuedAt: new Date('2026-01-15T00:00:00Z'),
    });
    await db.insert(donorUpdates).values({
      id: crypto.randomUUID(),
      supporterId: s.id,
      period: '2025-06',
      rescues: 3,
      createdAt: new Date('2025-07-20T00:00:00Z'),
    });

    const { events } = await readTimeline(db, s.id, { limit: 100 }, development);
    const giving = events.filter((e) => e.source === 'giving');
    const byKind = (kind: string) => giving.filter((e) => e.kind === kind);
    expect(byKind('gift.settled')).toMatchObject([
      {
        at: '2025-03-10T12:00:00.000Z',
        refId: settled,
        facts: {
          amountMinor: 25_000,
          currency: 'USD',
          fund: 'Rescue fund',
          method: 'cheque',
          monthly: false,
        },
      },
    ]);
    expect(byKind('receipt.issued')).toMatchObject([{ refId: settled, facts: { amountMinor: 25_000 } }]);
    expect(byKind('gift.refunded')).toMatchObject([{ refId: settled, facts: { amountMinor: 5_000 } }]);
    expect(byKind('gift.failed')).toMatchObject([{ refId: failedId, at: '2025-04-01T00:00:00.000Z' }]);
    expect(byKind('monthly_gift.started')).toMatchObject([{ refId: monthly, facts: { dayOfMonth: 3 } }]);
    // Pause, resume and cancel were recorded in that order: newest first they read backwards.
    expect(
      giving
        .filter((e) => /monthly_gift\.(paused|resumed|cancelled)/.test(e.kind))
        .map((e) => [e.kind, e.facts.by]),
    ).toEqual([
      ['monthly_gift.cancelled', 'donor'],
      ['monthly_gift.resumed', 'staff'],
      ['monthly_gift.paused', 'donor'],
    ]);
    expect(byKind('statement.issued')).toMatchObject([{ facts: { year: 2025, totals: '{"USD":20000}' } }]);
    expect(byKind('donor_update.sent')).toMatchObject([{ facts: { period: '2025-06', rescues: 3 } }]);
    // One order across people's and giving's events.
    const sorted = [...events].sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1));
    expect(events.map((e) => e.at)).toEqual(sorted.map((e) => e.at));
  });

  it('sums from the ledger per currency: given, refunded, kept; recent gifts and monthly gifts', async () => {
    const s = await donor('Summary');
    const first = await gift(s.id, 10_000, '2024-01-02');
    await gift(s.id, 30_000, '2024-06-01');
    await gift(s.id, 50_000, '2024-07-01', 'KRW');
    await refundGift(gc(), first);
    await monthlyGift(s.id, '2024-08-01T00:00:00Z');
    const summary = await givingSummaryFor(db, { supporterIds: [s.id], subject: development });
    expect(summary?.totals).toEqual([
      { currency: 'KRW', givenMinor: 50_000, refundedMinor: 0, keptMinor: 50_000 },
      { currency: 'USD', givenMinor: 40_000, refundedMinor: 10_000, keptMinor: 30_000 },
    ]);
    expect(summary).toMatchObject({
      settledGifts: 3,
      firstGiftAt: '2024-01-02T12:00:00.000Z',
      lastGiftAt: '2024-07-01T12:00:00.000Z',
      monthly: [{ status: 'active', amountMinor: 5_000, currency: 'USD', dayOfMonth: 3 }],
    });
    expect(summary?.recent.map((g) => [g.status, g.amountMinor, g.refundedMinor])).toEqual([
      ['settled', 50_000, 0],
      ['settled', 30_000, 0],
      ['refunded', 10_000, 10_000],
    ]);
    expect(await readSummaries(db, s.id, development)).toEqual({ giving: summary });
  });

  it('follows a merge: the duplicate’s gifts and monthly gift show on the survivor', async () => {
    const survivor = await donor('Survivor');
    const duplicate = await donor('Duplicate');
    const moved = await gift(duplicate.id, 7_500, '2025-09-09');
    // Monthly gifts are not moved by a merge here: the timeline still finds them through the merged record.
    const monthly = await monthlyGift(duplicate.id, '2025-09-10T00:00:00Z');
    await mergeSupporter(db, duplicate.id, survivor.id, development);
    const { events } = await readTimeline(db, survivor.id, {}, development);
    expect(events.map((e) => [e.kind, e.refId])).toEqual(
      expect.arrayContaining([
        ['supporter.merged', duplicate.id],
        ['gift.settled', moved],
        ['monthly_gift.started', monthly],
      ]),
    );
    const summary = (await readSummaries(db, survivor.id, development)).giving as { settledGifts: number };
    expect(summary.settledGifts).toBe(1);
  });

  it('shows nothing of giving to a caller who may not read gifts', async () => {
    const s = await donor('Hidden');
    await gift(s.id, 1_000, '2025-01-01');
    const outreach: Subject = { ...development, role: 'outreach' };
    expect(
      await givingTimelineFor(db, { supporterIds: [s.id], subject: outreach, before: null, limit: 10 }),
    ).toEqual([]);
    expect(await givingSummaryFor(db, { supporterIds: [s.id], subject: outreach })).toBeNull();
  });

  it('GET /api/people/:id/summary answers the giving summary to development and administrators only', async () => {
    const s = await donor('Route');
    await gift(s.id, 2_000, '2025-02-02');
    const read = await t.app.inject(
      as(actors.administrator, { method: 'GET', url: `/api/people/${s.id}/summary` }),
    );
    expect(read.statusCode).toBe(200);
    expect(read.json().giving.totals).toEqual([
      { currency: 'USD', givenMinor: 2_000, refundedMinor: 0, keptMinor: 2_000 },
    ]);
    const timeline = await t.app.inject(
      as(actors.development, { method: 'GET', url: `/api/people/${s.id}/timeline` }),
    );
    expect(timeline.json().events.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['gift.settled', 'receipt.issued', 'supporter.created']),
    );
    const refused = await t.app.inject(
      as(actors.rescue_coordinator, { method: 'GET', url: `/api/people/${s.id}/summary` }),
    );
    expect(refused.statusCode).toBe(403);
  });
});
