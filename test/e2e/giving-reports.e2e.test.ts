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
import { expectOk, setUpDevelopmentOfficer, signInWithCode } from './staff-setup';

/*
 * A development officer reads the giving reports: totals by fund and by month with their bars, the top
 * donors (a Korean name among them), retention, LYBUNT, and the CSV of a report; then sends last year's
 * statements (a cheque written last December counts for last year) and sees them all sent. Every page is
 * scanned for accessibility, and the totals fit a phone's width.
 */

const OFFICER: StaffAccount = {
  name: 'Ji-woo Han',
  email: 'ji-woo.han@example.org',
  password: 'lanterns along the Han at dusk',
};

describe('giving: a development officer reads the reports and sends last year’s statements', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let adminContext: BrowserContext;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const lastYear = new Date().getUTCFullYear() - 1;

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    ({ adminContext, context, page } = await setUpDevelopmentOfficer(
      browser,
      passage,
      OFFICER,
      consoleErrors,
    ));
    // Gifts entered the way staff enter them (the batch journey covers the pages): a batch, posted.
    expectOk(
      'fund',
      await pageApi(page, 'POST', '/api/giving/funds', {
        code: 'most-needed',
        name: 'Where most needed',
        restricted: false,
      }),
    );
    const ids: string[] = [];
    for (const supporter of [
      {
        kind: 'individual',
        firstName: '민준',
        lastName: '김',
        displayName: '김민준',
        email: 'minjun@example.org',
      },
      { kind: 'individual', firstName: 'Daniel', lastName: 'Reyes', email: 'daniel@example.org' },
    ]) {
      const made = await pageApi<{ id: string }>(page, 'POST', '/api/people', supporter);
      expectOk('supporter', made);
      ids.push(made.body.id);
    }
    const batch = await pageApi<{ id: string }>(page, 'POST', '/api/giving/batches', {
      name: 'Slips',
      currency: 'USD',
      controlTotalMinor: 75_000,
    });
    expectOk('batch', batch);
    for (const [supporterId, amountMinor, receivedOn] of [
      [ids[0], 50_000, `${lastYear}-12-28`],
      [ids[1], 25_000, new Date().toISOString().slice(0, 10)],
    ] as const)
      expectOk(
        'gift',
        await pageApi(page, 'POST', `/api/giving/batches/${batch.body.id}/gifts`, {
          supporterId,
          amountMinor,
          method: 'cheque',
          fund: 'most-needed',
          receivedOn,
        }),
      );
    expectOk('post', await pageApi(page, 'POST', `/api/giving/batches/${batch.body.id}/post`, {}));
    await pageApi(page, 'POST', '/api/auth/sign-out', {});
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('opens Giving reports: totals by fund and by month, with a bar and a CSV', async () => {
    await signInWithCode(page, passage, OFFICER);

    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Giving reports' })
      .click();
    await page.waitForURL(/\/console\/giving-reports$/);
    await page.getByRole('heading', { level: 1, name: 'Giving reports' }).waitFor();
    const row = page.getByTestId('totals-row').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('Where most needed');
    expect(await row.textContent()).toContain('$750.00');
    expect(await page.getByTestId('totals-sum').textContent()).toContain('$750.00');
    await expectAccessible(page, 'totals by fund');

    await page.getByTestId('totals-group').getByText('Month (UTC)').click();
    await page
      .getByTestId('totals-row')
      .filter({ hasText: new Date().toISOString().slice(0, 7) })
      .waitFor();

    const href = (await page.getByTestId('totals-csv').getAttribute('href')) ?? '';
    expect(href).toContain('format=csv');
    const csv = await page.request.get(`${passage.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('amount_minor');
  });

  it('ranks the top donors, shows retention and an empty LYBUNT', async () => {
    await page.getByTestId('reports-tab-top').click();
    const first = page.getByTestId('top-row').first();
    await first.waitFor();
    expect(await first.textContent()).toContain('김민준');
    expect(await first.textContent()).toContain('$500.00');
    await expectAccessible(page, 'top donors');

    await page.getByTestId('reports-tab-retention').click();
    const current = page.getByTestId('retention-row').last();
    await current.waitFor();
    expect(await current.textContent()).toContain(String(new Date().getUTCFullYear()));
    await expectAccessible(page, 'retention');

    await page.getByTestId('reports-tab-lapsed').click();
    await page.getByText('Nothing in this range.').waitFor();
    await expectAccessible(page, 'LYBUNT');
  });

  it('sends last year’s statements once', async () => {
    await page.getByTestId('reports-tab-statements').click();
    await page.getByTestId('statements-missing').filter({ hasText: '1' }).waitFor();
    await expectAccessible(page, 'statements');
    await page.getByTestId('statements-send').click();
    await page.getByTestId('statements-confirm-submit').click();
    await page.getByTestId('statements-sent').filter({ hasText: '1' }).waitFor();
    expect(await page.getByTestId('statements-missing').textContent()).toBe('0');
    expect(await page.getByTestId('statements-send').isDisabled()).toBe(true);
  });

  it('fits a phone', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByTestId('reports-tab-totals').click();
    await page.getByTestId('totals-row').first().waitFor();
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8)
        .map((e) => `${e.tagName}.${e.className}`.slice(0, 120)),
    );
    expect(await hasHorizontalScroll(page), wide.join('\n')).toBe(false);
    await expectAccessible(page, 'totals on a phone');
    expect(consoleErrors).toEqual([]);
  });
});
