import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../harness/app';
import {
  collectConsoleErrors,
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  launchBrowser,
  pageApi,
  type RunningPassage,
  setUpAdministrator,
  startPassage,
} from '../harness/browser';
import { expectOk, inviteAndEnrol } from './staff-setup';

/**
 * Issue 5's journey: "a donor gives monthly in KRW through the sandbox provider, finds the receipt in the
 * outbox and pauses the gift from the portal". The outbox is read by an administrator in the console; the
 * donor signs in with the link mailed to them, read from the test's SMTP listener: the outbox never shows a
 * sign-in link.
 */
const PHONE = { width: 360, height: 740 };
const DONOR = 'seo-yeon.han@example.org';
const ADMIN = { name: 'Ada Admin', email: 'ada@example.org', password: 'harbour-lantern-quartz-5521' };
const OFFICER = { name: 'Joon Lim', email: 'joon.lim@example.org', password: 'kites over the river at noon' };

describe('giving: a donor gives monthly in won, finds the receipt, signs in to the portal and pauses the gift', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let donorContext: BrowserContext;
  let adminContext: BrowserContext;
  let donor: Page;
  let admin: Page;
  const consoleErrors: string[] = [];

  /** The newest mail to an address, read by the administrator from the outbox. */
  const mailTo = async (to: string, subject: RegExp) => {
    const list = await pageApi<{ messages: { id: string; to: string; subject: string }[] }>(
      admin,
      'GET',
      '/api/outbox?limit=50',
    );
    const message = list.body.messages.find((m) => m.to === to && subject.test(m.subject));
    if (!message) throw new Error(`no mail to ${to} matching ${subject}: ${JSON.stringify(list.body)}`);
    return (
      await pageApi<{ id: string; subject: string; text: string }>(admin, 'GET', `/api/outbox/${message.id}`)
    ).body;
  };

  beforeAll(async () => {
    ensureWebBuild();
    // A fresh installation: its administrator reads the outbox; a development officer adds the two funds
    // the donate page offers (with the demo data loaded there would be no way to make the administrator).
    [passage, browser] = await Promise.all([startPassage({ smtp: true }), launchBrowser()]);
    donorContext = await browser.newContext({
      viewport: PHONE,
      locale: 'en-US',
      isMobile: true,
      hasTouch: true,
    });
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    donor = await donorContext.newPage();
    admin = await adminContext.newPage();
    collectConsoleErrors(donor, consoleErrors);
    await setUpAdministrator(admin, passage, ADMIN, totpCode);
    const officer = await inviteAndEnrol(browser, passage, admin, OFFICER, 'development');
    try {
      for (const fund of [
        { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true },
        { code: 'most-needed', name: 'Where most needed', restricted: false },
      ])
        expectOk('fund', await pageApi(officer.page, 'POST', '/api/giving/funds', fund));
    } finally {
      await officer.context.close();
    }
  }, 180_000);

  afterAll(async () => {
    await donorContext?.close();
    await adminContext?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('gives ₩30,000 a month through the sandbox on the public donate page', async () => {
    await donor.goto(`${passage.url}/give`);
    await donor.getByTestId('donate-form').waitFor();
    await donor.getByTestId('donate-frequency-monthly').check();
    await donor.getByTestId('donate-currency').selectOption('KRW');
    await donor.getByTestId('donate-amount-other').fill('30,000');
    await donor.getByTestId('donate-first-name').fill('Seo-yeon');
    await donor.getByTestId('donate-last-name').fill('Han');
    await donor.getByTestId('donate-email').fill(DONOR);
    await donor.getByTestId('donate-test-card').fill('4242 4242 4242 4242');
    expect(await donor.getByTestId('donate-total').textContent()).toContain('₩30,000');
    await expectAccessible(donor, 'donate page: monthly in KRW');
    await donor.getByTestId('donate-submit').click();
    await donor.waitForURL(/\/give\/thank-you\?gift=[0-9a-f-]{36}$/);
    await donor.locator('[data-testid="thanks-status"][data-status="settled"]').waitFor();
    await expectAccessible(donor, 'thank-you page: monthly');
  });

  it('has its receipt in the outbox, found by the administrator in the console', async () => {
    await admin.goto(`${passage.url}/console/outbox`);
    await admin.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    const row = admin
      .getByTestId('outbox-row')
      .filter({ hasText: DONOR })
      .filter({ hasText: 'Your receipt' });
    await row.first().waitFor();
    await row.first().getByRole('button').click();
    const detail = admin.getByTestId('message-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toMatch(/Receipt number: R-\d{4}-[0-9A-F]{8}/);
    expect(await detail.textContent()).toContain('30,000');
    await expectAccessible(admin, 'console outbox: the receipt');
  });

  it('signs in with the emailed link and lands on the portal with the monthly gift and its receipt', async () => {
    await donor.goto(`${passage.url}/supporters/sign-in`);
    await donor.getByTestId('supporter-email').fill(DONOR);
    await donor.getByTestId('supporter-submit').click();
    await donor.getByTestId('supporter-sent').waitFor();
    // The administrator sees the mail without its link; the donor gets the link.
    const held = await mailTo(DONOR, /sign-in link/);
    expect(held.text).toContain('[link removed: sent to the recipient only]');
    expect(held.text).not.toContain('magic-link/verify');
    const link = await passage.mailbox?.linkTo(DONOR, /https?:\/\/\S+magic-link\/verify\S+/);
    expect(link).toContain('callbackURL=%2Fmy');
    await donor.goto(link ?? '');
    await donor.waitForURL(`${passage.url}/my`);
    await donor.getByRole('heading', { level: 1, name: 'My giving' }).waitFor();
    expect(await donor.getByTestId('portal-greeting').textContent()).toContain('Seo-yeon Han');
    // The public header leads a signed-in supporter back here.
    expect(await donor.getByTestId('open-portal').getAttribute('href')).toBe('/my');

    const gift = donor.getByTestId('monthly-gift');
    await gift.waitFor();
    expect(await gift.getAttribute('data-status')).toBe('active');
    expect(await donor.getByTestId('monthly-amount').textContent()).toBe('₩30,000 a month');
    expect(await donor.getByTestId('monthly-status').textContent()).toBe('Active');

    const receipt = donor.getByTestId('receipt-download');
    await receipt.waitFor();
    const href = (await receipt.getAttribute('href')) ?? '';
    const pdf = await donor.evaluate(async (url) => {
      const r = await fetch(url);
      return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) };
    }, href);
    expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
    expect(await donor.getByTestId('pref-email').isChecked()).toBe(false);
    expect(await hasHorizontalScroll(donor)).toBe(false);
    // On a phone the browser widens its layout viewport to fit wide content: it must stay 360 px.
    expect(await donor.evaluate(() => window.innerWidth)).toBe(PHONE.width);
    await expectAccessible(donor, 'donor portal');
  });

  it('pauses the monthly gift after confirming, and can see it paused', async () => {
    await donor.getByTestId('monthly-pause').click();
    await donor.getByRole('dialog', { name: 'Pause your monthly gift?' }).waitFor();
    await expectAccessible(donor, 'donor portal: confirm the pause');
    await donor.getByTestId('monthly-confirm-submit').click();
    await donor.locator('[data-testid="monthly-gift"][data-status="paused"]').waitFor();
    expect(await donor.getByTestId('monthly-status').textContent()).toBe('Paused');
    await donor.getByTestId('monthly-resume').waitFor();
    expect(await donor.getByTestId('monthly-pause').count()).toBe(0);
    await expectAccessible(donor, 'donor portal: paused');

    // The server agrees, and the staff console reads the same state.
    const monthly = await pageApi<{ recurringGifts: { status: string; supporterName: string }[] }>(
      admin,
      'GET',
      '/api/giving/recurring?limit=10',
    );
    expect(monthly.body.recurringGifts.find((r) => r.supporterName === 'Seo-yeon Han')?.status).toBe(
      'paused',
    );
    expect(consoleErrors).toEqual([]);
  });

  it('sends a signed-out visitor of /my to the supporter sign-in', async () => {
    const other = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    try {
      const page = await other.newPage();
      await page.goto(`${passage.url}/my`);
      await page.waitForURL(`${passage.url}/supporters/sign-in`);
      await page.getByTestId('supporter-email').waitFor();
    } finally {
      await other.close();
    }
  });
});
