import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import type { Db } from '../../platform/db/client';
import { donationOutcome, OUTCOME_WINDOW_MS } from './donations/donate.service';
import { insertCampaign } from './funds/campaign.service';
import { insertFund } from './funds/fund.service';
import { coveredFee } from './money';

const DAY = 24 * 60 * 60 * 1000;

describeEachDatabase('giving: the donate page’s routes and the progress widget', (getDb) => {
  let t: TestApp;
  let db: Db;

  const donate = (overrides: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/giving/donations',
      payload: {
        provider: 'sandbox',
        amountMinor: 250_000,
        currency: 'USD',
        campaign: 'the-hundred',
        coverFees: true,
        tribute: { kind: 'in_memory', name: 'TRIBUTE-CANARY Kim Young-ja' },
        donor: {
          email: 'donor-canary@example.org',
          firstName: 'DONOR-CANARY',
          lastName: 'Lee',
          emailConsent: false,
        },
        testCard: '4242 4242 4242 4242',
        ...overrides,
      },
    });

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    const rescue = await insertFund(db, {
      code: 'rescue-fund',
      name: 'Rescue fund — 100% to rescues',
      restricted: true,
    });
    const most = await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
    await insertFund(db, { code: 'gala-2026', name: 'Gala (staff only)', restricted: false });
    const now = Date.now();
    await insertCampaign(db, {
      code: 'the-hundred',
      name: 'The Hundred',
      goalKind: 'units',
      goalUnits: 100,
      currency: 'USD',
      fundId: rescue.id,
      startsAt: new Date(now - 30 * DAY),
    });
    await insertCampaign(db, {
      code: 'bridge',
      name: 'Bridge <b>&</b> "friends"',
      goalKind: 'money',
      goalMinor: 20_000_000,
      currency: 'USD',
      fundId: most.id,
      startsAt: new Date(now - 30 * DAY),
      endsAt: new Date(now + 30 * DAY),
    });
    await insertCampaign(db, {
      code: 'last-winter',
      name: 'Last winter',
      goalKind: 'money',
      goalMinor: 1_000_000,
      currency: 'USD',
      fundId: most.id,
      startsAt: new Date(now - 300 * DAY),
      endsAt: new Date(now - 200 * DAY),
    });
    await insertCampaign(db, {
      code: 'next-spring',
      name: 'Next spring',
      goalKind: 'money',
      goalMinor: 1_000_000,
      currency: 'KRW',
      fundId: most.id,
      startsAt: new Date(now + 100 * DAY),
    });
  }, 90_000);
  afterAll(async () => t?.close());

  it('GET /api/giving/donate-options offers the two donor funds, the open campaigns with progress and the sandbox', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/giving/donate-options' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.provider).toBe('sandbox');
    expect(body.currencies).toEqual(['USD', 'KRW', 'CAD', 'EUR', 'GBP', 'AUD']);
    expect(body.funds.map((f: { code: string }) => f.code)).toEqual(['rescue-fund', 'most-needed']);
    expect(body.campaigns.map((c: { code: string }) => c.code).sort()).toEqual(['bridge', 'the-hundred']);
    expect(body.campaigns.find((c: { code: string }) => c.code === 'the-hundred')).toMatchObject({
      goalKind: 'units',
      goalUnits: 100,
      unitMinor: 250_000,
      currency: 'USD',
    });
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('reads back a gift for the thank-you page: amount, fee, designation and state, never the donor', async () => {
    const given = await donate();
    expect(given.statusCode).toBe(201);
    const { giftId, status } = given.json();
    expect(status).toBe('settled');
    const r = await t.app.inject({ method: 'GET', url: `/api/giving/donations/${giftId}` });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      giftId,
      status: 'settled',
      amountMinor: 250_000,
      feeMinor: coveredFee(250_000, 'USD'),
      currency: 'USD',
      monthly: false,
      fundName: 'Rescue fund — 100% to rescues',
      campaignName: 'The Hundred',
      tributeKind: 'in_memory',
      receiptEmailed: true,
    });
    expect(r.body).not.toContain('CANARY');
    expect(r.body).not.toContain('donor-canary');
    expect(r.headers['cache-control']).toBe('no-store');

    // The donor funded one rescue (and a bit): the options and the widget count it; nothing names the donor.
    const options = await t.app.inject({ method: 'GET', url: '/api/giving/donate-options' });
    expect(options.body).not.toContain('CANARY');
    const hundred = options.json().campaigns.find((c: { code: string }) => c.code === 'the-hundred');
    expect(hundred.unitsFunded).toBe(1);
  });

  it('says a monthly gift is monthly, in won with no minor unit', async () => {
    const given = await donate({
      frequency: 'monthly',
      amountMinor: 50_000,
      currency: 'KRW',
      campaign: undefined,
      fund: 'rescue-fund',
      coverFees: false,
      tribute: undefined,
    });
    expect(given.statusCode).toBe(201);
    const r = await t.app.inject({ method: 'GET', url: `/api/giving/donations/${given.json().giftId}` });
    expect(r.json()).toMatchObject({
      status: 'settled',
      amountMinor: 50_000,
      feeMinor: 0,
      currency: 'KRW',
      monthly: true,
      fundName: 'Rescue fund — 100% to rescues',
      campaignName: null,
    });
  });

  it('answers a declined card’s gift as failed with no receipt, and 404 for an unknown id or a bad one', async () => {
    const declined = await donate({ testCard: '4000 0000 0000 0002', tribute: undefined });
    expect(declined.json().status).toBe('failed');
    const r = await t.app.inject({ method: 'GET', url: `/api/giving/donations/${declined.json().giftId}` });
    expect(r.json()).toMatchObject({ status: 'failed', receiptEmailed: false, tributeKind: null });
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/giving/donations/7d1e4b0c-9d7f-4a43-9a4e-2f4f0f3c1a11',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'not_found', message: 'No such gift.' });
    const bad = await t.app.inject({ method: 'GET', url: '/api/giving/donations/not-an-id' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('id: is not an id');
  });

  it('stops answering for a gift after a day, as if it did not exist', async () => {
    const { giftId } = (await donate({ tribute: undefined })).json();
    const later = new Date(Date.now() + OUTCOME_WINDOW_MS + 60_000);
    await expect(donationOutcome(db, giftId, later)).rejects.toMatchObject({ statusCode: 404 });
    await expect(donationOutcome(db, giftId)).resolves.toMatchObject({ giftId });
  });

  it('GET /widget/campaigns/:code is a script-free page any site may frame, with a nonced style and the units', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/widget/campaigns/the-hundred' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain('frame-ancestors *');
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(r.headers['x-frame-options']).toBeUndefined();
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(r.body).toContain(`<style nonce="${nonce}">`);
    expect(r.body).not.toContain('<script');
    expect(r.body).toContain('>The Hundred<');
    expect(r.body).toMatch(/>\d+ of 100 rescues funded</);
    expect(r.body).toContain(`href="${t.ctx.config.publicUrl}/give?campaign=the-hundred"`);
    expect(r.body).toContain('target="_blank" rel="noopener"');
    expect(r.body).not.toContain('CANARY');

    const ko = await t.app.inject({ method: 'GET', url: '/widget/campaigns/the-hundred?lang=ko' });
    expect(ko.body).toContain('<html lang="ko">');
    expect(ko.body).toMatch(/구출 100건 중 \d+건 후원 완료/);
    const byBrowser = await t.app.inject({
      method: 'GET',
      url: '/widget/campaigns/the-hundred',
      headers: { 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' },
    });
    expect(byBrowser.body).toContain('<html lang="ko">');
  });

  it('escapes a campaign’s name and shows a money goal; an unknown code is a framable 404 page', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/widget/campaigns/bridge' });
    expect(r.body).toContain('Bridge &lt;b&gt;&amp;&lt;/b&gt; &quot;friends&quot;');
    expect(r.body).not.toContain('<b>&</b>');
    expect(r.body).toContain('$0.00 raised of $200,000.00');
    const missing = await t.app.inject({ method: 'GET', url: '/widget/campaigns/no-such-campaign' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect(missing.body).toContain('This campaign is not available.');
    expect(String(missing.headers['content-security-policy'])).toContain('frame-ancestors *');
    const bad = await t.app.inject({ method: 'GET', url: '/widget/campaigns/NOT_A_CODE' });
    expect(bad.statusCode).toBe(400);
  });

  it('GET /widget/campaigns/:code/progress.json is open to other origins (aggregates only)', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: '/widget/campaigns/the-hundred/progress.json',
      headers: { origin: 'https://friends.example' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.json()).toMatchObject({ code: 'the-hundred', goalKind: 'units', goalUnits: 100 });
    expect(r.body).not.toContain('CANARY');
    // Everything else keeps refusing to be framed.
    const other = await t.app.inject({ method: 'GET', url: '/api/giving/campaigns/the-hundred/progress' });
    expect(other.headers['x-frame-options']).toBe('DENY');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
