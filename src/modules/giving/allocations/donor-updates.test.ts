import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRescueCase, markRescueArrived } from '../../../../test/factories';
import { createTestCompartment } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { insertConsent, insertSupporter } from '../../people';
import { safetyReachedByCode } from '../../rescues';
import { seedSettledGift } from '../batches/batch.service';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { donorUpdates, unitAllocations } from '../giving.table';
import { allocateUnits } from './allocation.service';
import { donorUpdateText, reportedPeriod, sendDonorUpdates } from './donor-updates';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

describe('donor update period', () => {
  it('reports the month before last, in UTC', () => {
    expect(reportedPeriod(new Date('2026-10-05T06:00:00Z'))).toBe('2026-08');
    expect(reportedPeriod(new Date('2026-01-05T06:00:00Z'))).toBe('2025-11');
    expect(reportedPeriod(new Date('2026-03-31T23:59:59Z'))).toBe('2026-01');
  });

  it('says a count and a month, nothing finer', () => {
    const one = donorUpdateText({ donorName: 'Dana', rescues: 1, period: '2026-08' });
    expect(one.text).toContain('A rescue you helped fund reached safety in August 2026.');
    expect(donorUpdateText({ donorName: 'Dana', rescues: 3, period: '2026-08' }).text).toContain(
      '3 rescues you helped fund reached safety in August 2026.',
    );
  });
});

describeEachDatabase('donor updates', (getDb) => {
  let t: TestApp;
  let db: Db;
  let campaignId = '';
  const codes: Record<'early' | 'late' | 'september' | 'notSafe' | 'otherCampaign', string> = {
    early: '',
    late: '',
    september: '',
    notSafe: '',
    otherCampaign: '',
  };
  const donors: Record<'consenting' | 'withdrawn' | 'silent' | 'afterwards' | 'other', string> = {
    consenting: '',
    withdrawn: '',
    silent: '',
    afterwards: '',
    other: '',
  };
  const gc = (): GivingContext => ({ db, subject: development, requestId: null, mail: t.ctx.mail });

  const openCase = async (compartmentId: string) => (await buildRescueCase(t.ctx, { compartmentId })).code;
  const arrive = (code: string, at: string) => markRescueArrived(t.ctx, code, at);

  async function donor(name: string, consent: 'granted' | 'withdrawn' | 'none') {
    const row = await insertSupporter(
      db,
      { kind: 'individual', firstName: name, lastName: 'Donor', email: `${name.toLowerCase()}@example.org` },
      null,
    );
    if (consent !== 'none')
      await insertConsent(db, row.id, { channel: 'email', granted: true, method: 'donate_form' }, null);
    // The newest statement wins (by when it was recorded): keep the two apart.
    if (consent === 'withdrawn') await new Promise((r) => setTimeout(r, 10));
    if (consent === 'withdrawn')
      await insertConsent(db, row.id, { channel: 'email', granted: false, method: 'email_reply' }, null);
    return row.id;
  }

  const give = (supporterId: string, campaign: string | null, receivedOn: string, fundId: string) =>
    seedSettledGift(db, {
      supporterId,
      amountMinor: 250_000,
      currency: 'USD',
      fundId,
      campaignId: campaign,
      method: 'wire',
      receivedOn: new Date(receivedOn),
    });

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    const fundId = (await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund', restricted: true })).id;
    campaignId = (
      await insertCampaign(db, {
        code: 'the-hundred',
        name: 'The Hundred',
        goalKind: 'units',
        goalUnits: 100,
        currency: 'USD',
        fundId,
        startsAt: new Date('2026-01-01T00:00:00Z'),
      })
    ).id;
    await insertCampaign(db, {
      code: 'bridge',
      name: 'Bridge',
      goalKind: 'money',
      goalMinor: 20_000_000,
      currency: 'USD',
      fundId,
      startsAt: new Date('2026-01-01T00:00:00Z'),
    });
    const bridgeId = (await db.execute(sql`select id from campaigns where code = 'bridge'`)) as unknown as {
      rows: { id: string }[];
    };
    donors.consenting = await donor('Consenting', 'granted');
    donors.withdrawn = await donor('Withdrawn', 'withdrawn');
    donors.silent = await donor('Silent', 'none');
    donors.afterwards = await donor('Afterwards', 'granted');
    donors.other = await donor('Other', 'granted');
    await give(donors.consenting, campaignId, '2026-02-01', fundId);
    await give(donors.consenting, campaignId, '2026-03-01', fundId);
    await give(donors.withdrawn, campaignId, '2026-02-02', fundId);
    await give(donors.silent, campaignId, '2026-02-03', fundId);
    await give(donors.other, bridgeId.rows[0]?.id ?? null, '2026-02-04', fundId);
    const compartment = await createTestCompartment(db);
    for (const key of Object.keys(codes) as (keyof typeof codes)[]) {
      codes[key] = await openCase(compartment.id);
      await allocateUnits(gc(), {
        caseCode: codes[key],
        units: 1,
        ...(key === 'otherCampaign' ? { campaign: 'bridge' } : { campaign: 'the-hundred' }),
      });
    }
    // A gift after the allocations did not fund these cases (its settlement date is after them).
    await give(donors.afterwards, campaignId, '2099-01-01', fundId);
    await arrive(codes.early, '2026-08-01T00:00:00Z');
    await arrive(codes.late, '2026-08-31T23:59:59Z');
    await arrive(codes.september, '2026-09-01T00:00:00Z');
    await arrive(codes.otherCampaign, '2026-08-15T12:00:00Z');
  }, 120_000);
  afterAll(async () => t?.close());

  async function mailTo(name: string) {
    return db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.toAddress, `${name}@example.org`));
  }

  it('stores the campaign of an allocation, and refuses an unknown one with a clear 400', async () => {
    const rows = await db
      .select()
      .from(unitAllocations)
      .where(inArray(unitAllocations.caseCode, [codes.early, codes.otherCampaign]));
    expect(rows.find((r) => r.caseCode === codes.early)?.campaignId).toBe(campaignId);
    await expect(
      allocateUnits(gc(), { caseCode: codes.early, units: 1, campaign: 'no-such' }),
    ).rejects.toMatchObject({ statusCode: 400, message: 'campaign: no campaign with the code no-such' });
  });

  it('rescues answer only the month, and only for the codes asked', async () => {
    const answer = await safetyReachedByCode(db, [
      codes.early,
      codes.notSafe,
      'NOT-A-CODE',
      'QUIET-HERON-00',
    ]);
    expect([...answer]).toEqual([[codes.early, '2026-08']]);
  });

  it('sends nothing before the delay: in September, August’s arrivals are not yet reported', async () => {
    expect(await sendDonorUpdates(db, t.ctx.mail, new Date('2026-09-05T06:00:00Z'))).toMatchObject({
      period: '2026-07',
      updates: 0,
    });
    expect(await mailTo('consenting')).toEqual([]);
  });

  it('in October: one email per consenting donor for August, with a count and no code, place or day', async () => {
    const result = await sendDonorUpdates(db, t.ctx.mail, new Date('2026-10-05T06:00:00Z'));
    // Three allocations reached safety in August (two of The Hundred, one of Bridge); two donors hear of them.
    expect(result).toMatchObject({ period: '2026-08', rescues: 3, updates: 2 });
    const mails = await mailTo('consenting');
    expect(mails).toHaveLength(1);
    const body = `${mails[0]?.subject}\n${mails[0]?.textBody}`;
    // Two of the campaign's cases arrived in August (the September one and the unsafe one do not count).
    expect(body).toContain('2 rescues you helped fund reached safety in August 2026.');
    for (const code of Object.values(codes)) expect(body).not.toContain(code);
    expect(body).not.toMatch(/2026-08-\d\d|August \d{1,2}\b|\b\d{1,2} August/);
    expect(body).not.toMatch(/South Korea|United States|south_korea|united_states/);
    // Consent withdrawn, never given, gave afterwards, gave to a campaign of an unrelated case: no mail.
    expect(await mailTo('withdrawn')).toEqual([]);
    expect(await mailTo('silent')).toEqual([]);
    expect(await mailTo('afterwards')).toEqual([]);
    const [row] = await db.select().from(donorUpdates).where(eq(donorUpdates.supporterId, donors.consenting));
    expect(row).toMatchObject({ period: '2026-08', rescues: 2, outboxId: mails[0]?.id });
  });

  it('the other campaign’s donor hears of its one case, and a second run the same month sends nothing', async () => {
    const other = await mailTo('other');
    expect(other).toHaveLength(1);
    expect(other[0]?.textBody).toContain('A rescue you helped fund reached safety in August 2026.');
    expect(await sendDonorUpdates(db, t.ctx.mail, new Date('2026-10-20T06:00:00Z'))).toMatchObject({
      updates: 0,
    });
    expect(await mailTo('consenting')).toHaveLength(1);
  });

  it('in November: September’s arrival, reported once more to the donor (a new month)', async () => {
    await sendDonorUpdates(db, t.ctx.mail, new Date('2026-11-05T06:00:00Z'));
    const mails = await mailTo('consenting');
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.textBody).join('\n')).toContain(
      'A rescue you helped fund reached safety in September 2026.',
    );
  });

  it('withdrawing consent stops the next update', async () => {
    await insertConsent(
      db,
      donors.consenting,
      { channel: 'email', granted: false, method: 'email_reply' },
      null,
    );
    await arrive(codes.notSafe, '2026-10-10T00:00:00Z');
    expect(await sendDonorUpdates(db, t.ctx.mail, new Date('2026-12-05T06:00:00Z'))).toMatchObject({
      period: '2026-10',
      rescues: 1,
      updates: 0,
    });
    expect(await mailTo('consenting')).toHaveLength(2);
  });
});
