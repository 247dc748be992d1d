import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countConsentStatements } from '../../../../test/factories';
import { createAccount, nextTestAddress, signInActor } from '../../../../test/harness/actors';
import { signInAsAdministrator, startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { gifts, recurringGifts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';
import { chargeDueRecurringGifts } from './recurring.service';

const DAY = 24 * 60 * 60 * 1000;

describeEachDatabase('monthly giving and the donor portal', (getDb) => {
  let t: TestApp;
  let db: Db;
  let sandbox: SandboxProvider;
  let staffCookie: string;
  let n = 0;
  const email = (what: string) => `${what}-${++n}-${Math.random().toString(36).slice(2, 8)}@example.org`;

  const donation = (overrides: Record<string, unknown> = {}) =>
    DonationInput.parse({
      frequency: 'monthly',
      amountMinor: 50_000,
      currency: 'KRW',
      fund: 'rescue-fund',
      donor: { email: email('monthly'), firstName: 'Mina' },
      testCard: '4242 4242 4242 4242',
      ...overrides,
    });
  const give = (overrides: Record<string, unknown> = {}) =>
    startDonation(db, t.ctx.mail, sandbox, donation(overrides), t.ctx.config.publicUrl);
  const scheduleOf = async (giftId: string) => {
    const [gift] = await db.select().from(gifts).where(eq(gifts.id, giftId));
    const [row] = await db
      .select()
      .from(recurringGifts)
      .where(eq(recurringGifts.id, gift?.recurringGiftId ?? ''));
    if (!row) throw new Error('no monthly gift');
    return row;
  };
  const reload = async (id: string) => {
    const [row] = await db.select().from(recurringGifts).where(eq(recurringGifts.id, id));
    if (!row) throw new Error('no monthly gift');
    return row;
  };
  const chargesOf = (id: string) =>
    db.select().from(gifts).where(eq(gifts.recurringGiftId, id)).orderBy(asc(gifts.createdAt));
  /** Time passes the schedule's way: its next charge becomes due a minute ago. */
  const makeDue = (id: string) =>
    db
      .update(recurringGifts)
      .set({ nextChargeAt: new Date(Date.now() - 60_000) })
      .where(eq(recurringGifts.id, id));
  const charge = () => chargeDueRecurringGifts(db, t.ctx.mail, { sandbox }, t.ctx.config.publicUrl);
  const mailsTo = (to: string) =>
    db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(asc(mailOutbox.createdAt));
  const supporterSession = async (address: string) => {
    const account = await createAccount(t.ctx, { role: 'supporter', email: address });
    return signInActor(t.app, account, nextTestAddress());
  };
  const call = (cookie: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { cookie },
      remoteAddress: '203.0.113.9',
      ...(method === 'POST' ? { payload: payload ?? {} } : {}),
    });

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    sandbox = new SandboxProvider();
    useProviders(t.ctx, { sandbox });
    await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true });
    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
    ({ cookie: staffCookie } = await signInAsAdministrator(t));
  }, 90_000);
  afterAll(async () => t?.close());

  it('starts a monthly gift: its first charge settles it, active from today’s day with the next charge a month on', async () => {
    const before = new Date();
    const result = await give();
    expect(result.status).toBe('settled');
    const schedule = await scheduleOf(result.giftId);
    const day = Math.min(before.getUTCDate(), 28);
    expect(schedule).toMatchObject({
      status: 'active',
      dayOfMonth: day,
      amountMinor: 50_000,
      currency: 'KRW',
      provider: 'sandbox',
      failedAttempts: 0,
    });
    expect(schedule.providerRef).toMatch(/^sandbox_pm_4242_[0-9a-f]+$/);
    expect(schedule.nextChargeAt?.toISOString()).toBe(
      new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth() + 1, day)).toISOString(),
    );
    const charges = await chargesOf(schedule.id);
    expect(charges.map((g) => g.status)).toEqual(['settled']);
    // Nothing is due yet: the job charges nothing.
    expect((await charge()).charged).toBe(0);
  });

  it('lets the first charge’s refusal end the monthly gift before it starts, with no dunning', async () => {
    const address = email('declined');
    const result = await give({
      donor: { email: address, firstName: 'Dee' },
      testCard: '4000 0000 0000 0002',
    });
    expect(result.status).toBe('failed');
    const schedule = await scheduleOf(result.giftId);
    expect([schedule.status, schedule.nextChargeAt]).toEqual(['lapsed', null]);
    expect(await mailsTo(address)).toEqual([]);
  });

  it('charges a due monthly gift exactly once even when the job runs twice at the same time', async () => {
    const address = email('twice');
    const result = await give({ donor: { email: address, firstName: 'Tae' } });
    const schedule = await scheduleOf(result.giftId);
    await makeDue(schedule.id);
    const runs = await Promise.all([charge(), charge(), charge()]);
    expect(runs.reduce((s, r) => s + r.charged, 0)).toBe(1);
    const charges = await chargesOf(schedule.id);
    expect(charges.map((g) => [g.status, g.amountMinor, g.currency])).toEqual([
      ['settled', 50_000, 'KRW'],
      ['settled', 50_000, 'KRW'],
    ]);
    const after = await reload(schedule.id);
    expect(after.status).toBe('active');
    expect(after.nextChargeAt?.getTime()).toBeGreaterThan(Date.now() + 14 * DAY);
    // Two receipts: one per settled charge, each through the outbox.
    expect((await mailsTo(address)).filter((m) => m.subject.includes('Your receipt'))).toHaveLength(2);
    expect((await charge()).charged).toBe(0);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('retries a declined charge after 3 days and then 7 with a dunning mail each time, then lapses with a last mail', async () => {
    const address = email('dunning');
    const result = await give({
      donor: { email: address, firstName: 'Jun' },
      testCard: '4000 0000 0000 0341',
    });
    expect(result.status).toBe('settled');
    const schedule = await scheduleOf(result.giftId);
    expect(schedule.providerRef).toMatch(/^sandbox_pm_0341_/);
    const dunning = async () => (await mailsTo(address)).filter((m) => !m.subject.includes('Your receipt'));

    await makeDue(schedule.id);
    let started = Date.now();
    expect(await charge()).toMatchObject({ charged: 1, failed: 1 });
    let row = await reload(schedule.id);
    expect([row.status, row.failedAttempts]).toEqual(['active', 1]);
    expect(row.nextChargeAt?.getTime()).toBeGreaterThanOrEqual(started + 3 * DAY);
    expect(row.nextChargeAt?.getTime()).toBeLessThan(Date.now() + 3 * DAY + 1000);
    let mails = await dunning();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Your monthly gift of ₩50,000 could not be collected');
    expect(mails[0]?.textBody).toContain(`${t.ctx.config.publicUrl}/my`);
    expect(mails[0]?.textBody).toContain(
      `We will try again on ${row.nextChargeAt?.toISOString().slice(0, 10)}`,
    );
    expect(mails[0]?.textBody).not.toMatch(/\d{4} ?\d{4} ?\d{4}/);

    await makeDue(schedule.id);
    started = Date.now();
    expect(await charge()).toMatchObject({ charged: 1, failed: 1 });
    row = await reload(schedule.id);
    expect([row.status, row.failedAttempts]).toEqual(['active', 2]);
    expect(row.nextChargeAt?.getTime()).toBeGreaterThanOrEqual(started + 7 * DAY);
    expect(row.nextChargeAt?.getTime()).toBeLessThan(Date.now() + 7 * DAY + 1000);
    expect(await dunning()).toHaveLength(2);

    await makeDue(schedule.id);
    expect(await charge()).toMatchObject({ charged: 1, failed: 1 });
    row = await reload(schedule.id);
    expect([row.status, row.failedAttempts, row.nextChargeAt]).toEqual(['lapsed', 3, null]);
    mails = await dunning();
    expect(mails.map((m) => m.subject)).toEqual([
      'Your monthly gift of ₩50,000 could not be collected',
      'Your monthly gift of ₩50,000 could not be collected',
      'Your monthly gift of ₩50,000 has stopped',
    ]);
    // A lapsed gift is never charged again; its failed charges never reached the ledger.
    await makeDue(schedule.id);
    expect((await charge()).charged).toBe(0);
    expect((await chargesOf(schedule.id)).map((g) => g.status)).toEqual([
      'settled',
      'failed',
      'failed',
      'failed',
    ]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('forgets earlier failures when a charge settles', async () => {
    const result = await give();
    const schedule = await scheduleOf(result.giftId);
    await db
      .update(recurringGifts)
      .set({ failedAttempts: 2, lastFailureAt: new Date() })
      .where(eq(recurringGifts.id, schedule.id));
    await makeDue(schedule.id);
    expect(await charge()).toMatchObject({ charged: 1, settled: 1 });
    expect((await reload(schedule.id)).failedAttempts).toBe(0);
  });

  it('lets the donor pause, resume and cancel from the portal: each again changes nothing, and a 409 says why', async () => {
    const address = email('portal');
    const result = await give({ donor: { email: address, firstName: 'Ara' } });
    const schedule = await scheduleOf(result.giftId);
    const cookie = await supporterSession(address);
    const url = (what: string) => `/api/giving/me/monthly/${schedule.id}/${what}`;

    const listed = await call(cookie, 'GET', '/api/giving/me/monthly');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().monthlyGifts).toEqual([
      expect.objectContaining({
        id: schedule.id,
        status: 'active',
        amountMinor: 50_000,
        currency: 'KRW',
        fundName: 'Rescue fund — 100% to rescues',
        can: { pause: true, resume: false, cancel: true, changeAmount: true },
      }),
    ]);

    const paused = await call(cookie, 'POST', url('pause'));
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', nextChargeAt: null });
    expect((await call(cookie, 'POST', url('pause'))).json()).toMatchObject({ status: 'paused' });
    // A paused gift is not charged, even when its old date comes.
    await db
      .update(recurringGifts)
      .set({ nextChargeAt: new Date(Date.now() - 60_000) })
      .where(eq(recurringGifts.id, schedule.id));
    expect((await charge()).charged).toBe(0);

    const resumed = await call(cookie, 'POST', url('resume'));
    expect(resumed.json()).toMatchObject({ status: 'active', pausedAt: null });
    expect(new Date(resumed.json().nextChargeAt).getTime()).toBeGreaterThan(Date.now());
    expect((await call(cookie, 'POST', url('resume'))).statusCode).toBe(200);

    const changed = await call(cookie, 'POST', url('amount'), { amountMinor: 30_000 });
    expect(changed.json()).toMatchObject({ amountMinor: 30_000, status: 'active' });
    const zero = await call(cookie, 'POST', url('amount'), { amountMinor: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toContain('amountMinor');

    expect((await call(cookie, 'POST', url('cancel'))).json()).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'donor',
      can: { pause: false, resume: false, cancel: false, changeAmount: false },
    });
    expect((await call(cookie, 'POST', url('cancel'))).statusCode).toBe(200);
    for (const [what, body] of [
      ['resume', undefined],
      ['pause', undefined],
      ['amount', { amountMinor: 10_000 }],
    ] as const) {
      const refused = await call(cookie, 'POST', url(what), body);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toBe('conflict');
      expect(refused.json().message).toMatch(/^This monthly gift is cancelled/);
    }
    // Each change that changed something is in the audit log, by the monthly gift's id: pause, resume,
    // amount, cancel (the repeats changed nothing and are not).
    const audited = await db.execute(
      sql`select action from audit_log where resource_code = ${schedule.id} order by seq`,
    );
    expect((audited as unknown as { rows: { action: string }[] }).rows.map((r) => r.action)).toEqual([
      'recurring_gift.pause',
      'recurring_gift.resume',
      'recurring_gift.change_amount',
      'recurring_gift.cancel',
    ]);
  });

  it('shows a donor only their own gifts, receipts and monthly gifts; staff cannot read a portal', async () => {
    const mine = email('mine');
    const theirs = email('theirs');
    const own = await give({
      donor: { email: mine, firstName: 'Own' },
      frequency: 'once',
      amountMinor: 10_000,
    });
    const other = await give({ donor: { email: theirs, firstName: 'Other' } });
    const otherSchedule = await scheduleOf(other.giftId);
    const cookie = await supporterSession(mine);

    const list = await call(cookie, 'GET', '/api/giving/me/gifts');
    expect(list.statusCode).toBe(200);
    expect(list.json().gifts).toEqual([
      expect.objectContaining({ id: own.giftId, amountMinor: 10_000, currency: 'KRW', monthly: false }),
    ]);
    expect(list.json().gifts[0].receipt.number).toMatch(/^R-\d{4}-/);
    const pdf = await call(cookie, 'GET', `/api/giving/me/gifts/${own.giftId}/receipt.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    expect((await call(cookie, 'GET', `/api/giving/me/gifts/${other.giftId}/receipt.pdf`)).statusCode).toBe(
      404,
    );
    expect((await call(cookie, 'GET', '/api/giving/me/monthly')).json().monthlyGifts).toEqual([]);
    for (const what of ['pause', 'cancel', 'resume'])
      expect(
        (await call(cookie, 'POST', `/api/giving/me/monthly/${otherSchedule.id}/${what}`)).statusCode,
      ).toBe(404);
    expect((await reload(otherSchedule.id)).status).toBe('active');

    // A signed-in supporter who never gave: empty, not someone else's.
    const stranger = await supporterSession(email('stranger'));
    expect((await call(stranger, 'GET', '/api/giving/me/gifts')).json()).toEqual({ gifts: [] });
    expect((await call(stranger, 'GET', '/api/giving/me')).json().donor).toBeNull();

    for (const url of [
      '/api/giving/me',
      '/api/giving/me/gifts',
      '/api/giving/me/monthly',
      '/api/giving/me/preferences',
    ]) {
      const r = await call(staffCookie, 'GET', url);
      expect({ url, status: r.statusCode }).toEqual({ url, status: 403 });
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/giving/me/gifts' })).statusCode).toBe(401);
  });

  it('records the donor’s communication preferences as new consent statements, never edits', async () => {
    const address = email('prefs');
    await give({ donor: { email: address, firstName: 'Pia', emailConsent: true }, frequency: 'once' });
    const cookie = await supporterSession(address);
    const read = await call(cookie, 'GET', '/api/giving/me/preferences');
    expect(read.json()).toMatchObject({
      recorded: true,
      preferences: {
        email: { status: 'granted' },
        post: { status: 'unknown' },
        phone: { status: 'unknown' },
      },
    });
    const rows = () => countConsentStatements(db, 'email');
    const before = await rows();
    const withdrawn = await call(cookie, 'POST', '/api/giving/me/preferences', {
      channel: 'email',
      granted: false,
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().preferences.email).toMatchObject({ status: 'withdrawn', method: 'donor_portal' });
    expect(await rows()).toBe(before + 1);
    await call(cookie, 'POST', '/api/giving/me/preferences', { channel: 'email', granted: false });
    expect(await rows()).toBe(before + 1);
    const bad = await call(cookie, 'POST', '/api/giving/me/preferences', {
      channel: 'pigeon',
      granted: true,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('channel');
    const nobody = await supporterSession(email('nobody'));
    expect(
      (await call(nobody, 'POST', '/api/giving/me/preferences', { channel: 'post', granted: true }))
        .statusCode,
    ).toBe(409);
  });

  it('lets development staff pause and cancel a monthly gift, audited, and list them', async () => {
    const result = await give();
    const schedule = await scheduleOf(result.giftId);
    // The administrator reads but does not change gifts.
    const listed = await call(staffCookie, 'GET', '/api/giving/recurring?status=active');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().recurringGifts.map((r: { id: string }) => r.id)).toContain(schedule.id);
    expect((await call(staffCookie, 'POST', `/api/giving/recurring/${schedule.id}/pause`)).statusCode).toBe(
      403,
    );
    expect((await reload(schedule.id)).status).toBe('active');
    const development = await createAccount(t.ctx, { role: 'development' });
    const devCookie = await signInActor(t.app, development, nextTestAddress());
    const paused = await call(devCookie, 'POST', `/api/giving/recurring/${schedule.id}/pause`);
    expect(paused.json()).toMatchObject({ status: 'paused' });
    const cancelled = await call(devCookie, 'POST', `/api/giving/recurring/${schedule.id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'staff' });
    expect((await call(devCookie, 'POST', `/api/giving/recurring/${schedule.id}/pause`)).statusCode).toBe(
      409,
    );
    const audited = await db.execute(
      sql`select actor_role, action from audit_log where resource_code = ${schedule.id} order by seq`,
    );
    expect((audited as unknown as { rows: { actor_role: string; action: string }[] }).rows).toEqual([
      { actor_role: 'development', action: 'recurring_gift.pause' },
      { actor_role: 'development', action: 'recurring_gift.cancel' },
    ]);
  });
});
