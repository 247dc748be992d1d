import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  launchBrowser,
  pageApi,
  type RunningPassage,
  type StaffAccount,
  startPassage,
} from '../harness/browser';
import { expectOk, setUpDevelopmentOfficer } from './staff-setup';

/*
 * A development officer records a company's sponsorship: 25 cents per view of a film, up to $1,000. They
 * create the pledge, enter a reading, import a CSV (a bad line is refused with its line number, then the
 * corrected file goes in), issue an invoice that is emailed to the sponsor, and mark it paid: a settled gift
 * from the sponsor. On a phone the pledge page does not scroll sideways.
 */

const OFFICER: StaffAccount = {
  name: 'Seo-yeon Lim',
  email: 'seo-yeon.lim@example.org',
  password: 'kites over the river at noon',
};

describe('giving: a development officer records a per-view sponsorship and invoices it', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let adminContext: BrowserContext;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    ({ adminContext, context, page } = await setUpDevelopmentOfficer(
      browser,
      passage,
      OFFICER,
      consoleErrors,
    ));
    // The fund and the sponsor already on file (funds and people are other pages' journeys).
    expectOk(
      'fund',
      await pageApi(page, 'POST', '/api/giving/funds', {
        code: 'most-needed',
        name: 'Where most needed',
        restricted: false,
      }),
    );
    expectOk(
      'sponsor',
      await pageApi(page, 'POST', '/api/people', {
        kind: 'organisation',
        organisationType: 'company',
        displayName: 'Harbour Media',
        email: 'accounts@harbour-media.example',
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('opens Pledges and creates a per-unit pledge with a cap', async () => {
    await page.goto(`${passage.url}/console/pledges`);
    await page.getByRole('heading', { level: 1, name: 'Sponsor and matching pledges' }).waitFor();
    await page.getByTestId('pledges-empty').waitFor();
    await expectAccessible(page, 'pledges (empty)');
    await page.getByTestId('pledge-new').click();
    await page.getByRole('heading', { level: 1, name: 'New pledge' }).waitFor();
    await page.getByTestId('pledge-sponsor-search').fill('harbour');
    await page.getByTestId('pledge-sponsor-hit').filter({ hasText: 'Harbour Media' }).click();
    await page.getByTestId('pledge-sponsor-picked').filter({ hasText: 'Harbour Media' }).waitFor();
    await page.getByTestId('pledge-name').fill('Views of "Crossing"');
    await page.getByTestId('pledge-fund').selectOption('most-needed');
    await page.getByTestId('pledge-metric').fill('video views');
    await page.getByTestId('pledge-rate').fill('0.25');
    await page.getByTestId('pledge-cap').fill('1,000');
    await page.getByTestId('pledge-starts').fill('2026-01-01');
    await expectAccessible(page, 'new pledge form');
    await page.getByTestId('pledge-create').click();
    await page.getByTestId('pledge-page').waitFor();
    expect(await page.getByTestId('pledge-raised').textContent()).toBe('$0.00');
    expect(await page.getByTestId('pledge-cap').textContent()).toBe('$1,000.00');
    await expectAccessible(page, 'pledge page (no readings)');
  });

  it('enters a reading, refuses a CSV with a bad line, then imports the corrected one', async () => {
    await page.getByTestId('reading-date').fill('2026-02-01');
    await page.getByTestId('reading-value').fill('1200');
    await page.getByTestId('reading-add').click();
    await page.getByTestId('pledge-raised').filter({ hasText: '$300.00' }).waitFor();

    const file = page.locator('input[type="file"]');
    await file.setInputFiles({
      name: 'views.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('date,value,note\n2026-02-08,800,week 2\n2026-02-15,lots\n'),
    });
    await page.getByTestId('readings-import').click();
    await page.getByTestId('readings-problems').waitFor();
    expect(await page.getByTestId('readings-problems').textContent()).toContain(
      'line 3, value: "lots" is not a whole number',
    );
    await expectAccessible(page, 'pledge page, CSV refused');
    expect(await page.getByTestId('reading-row').count()).toBe(1);

    await file.setInputFiles({
      name: 'views.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('date,value,note\n2026-02-08,800,week 2\n2026-02-15,1000\n'),
    });
    await page.getByTestId('readings-import').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="reading-row"]').length === 3);
    // 3,000 views × $0.25 = $750.00.
    await page.getByTestId('pledge-raised').filter({ hasText: '$750.00' }).waitFor();
    expect(await page.getByTestId('pledge-due').textContent()).toBe('$750.00');
    expect(await page.getByTestId('pledge-counted').textContent()).toBe('3,000 video views at $0.25 per 1');
  });

  it('issues an invoice emailed to the sponsor, and records its payment as a gift', async () => {
    await page.getByTestId('invoice-issue').click();
    await page.getByTestId('invoice-row').waitFor();
    expect(await page.getByTestId('invoice-number').textContent()).toMatch(/^INV-\d{4}-000001$/);
    await page.getByTestId('pledge-due').filter({ hasText: '$0.00' }).waitFor();
    expect(await page.getByTestId('invoice-status').textContent()).toBe('Issued');
    await expectAccessible(page, 'pledge page, invoice issued');
    // The PDF link opens the invoice (with the session's cookies, as the browser's new tab would).
    const pdf = await context.request.get(
      `${passage.url}${(await page.getByTestId('invoice-pdf').getAttribute('href')) ?? ''}`,
    );
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');

    await page.getByTestId('invoice-paid').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.getByTestId('invoice-received-on').fill('2026-03-01');
    await page.getByTestId('invoice-method').selectOption('wire');
    await expectAccessible(page, 'mark paid dialog');
    await page.getByTestId('invoice-paid-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('invoice-status').filter({ hasText: 'Paid' }).waitFor();
    expect(await page.getByTestId('invoice-paid').count()).toBe(0);

    const gifts = await pageApi<{
      gifts: { amountMinor: number; status: string; supporterName: string | null }[];
    }>(page, 'GET', '/api/giving/gifts?status=settled');
    expect(gifts.body.gifts.map((g) => g.amountMinor)).toEqual([75_000]);
    // The invoice and then the receipt went to the sponsor through the outbox.
    const admin = adminContext.pages()[0];
    if (!admin) throw new Error('the administrator’s page is gone');
    const outbox = await pageApi(admin, 'GET', '/api/outbox');
    const subjects = JSON.stringify(outbox.body);
    expect(subjects).toContain('Invoice INV-');
    expect(subjects).toContain('accounts@harbour-media.example');
  });

  it('lists the pledge, and works on a phone without scrolling sideways', async () => {
    await page.goto(`${passage.url}/console/pledges`);
    await page.getByTestId('pledge-row').waitFor();
    expect(await page.getByTestId('pledge-due').textContent()).toBe('$0.00');
    await expectAccessible(page, 'pledge list');
    const href = await page.getByTestId('pledge-link').getAttribute('href');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    try {
      await phone.addCookies(await context.cookies());
      const p = await phone.newPage();
      await p.goto(`${passage.url}${href ?? ''}`);
      await p.getByTestId('pledge-page').waitFor();
      expect(await hasHorizontalScroll(p)).toBe(false);
      await expectAccessible(p, 'pledge page at 390 px');
    } finally {
      await phone.close();
    }
    // The one refusal the journey asked for: the CSV with a bad line (400).
    expect(consoleErrors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
