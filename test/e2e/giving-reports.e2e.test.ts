import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../harness/app';
import {
  collectConsoleErrors,
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  invitationLinkFor,
  launchBrowser,
  pageApi,
  type RunningPassage,
  type StaffAccount,
  setUpAdministrator,
  startPassage,
} from '../harness/browser';

/*
 * A development officer reads the giving reports: totals by fund and by month with their bars, the top
 * donors (a Korean name among them), retention, LYBUNT, and the CSV of a report; then sends last year's
 * statements (a cheque written last December counts for last year) and sees them all sent. Every page is
 * scanned for accessibility, and the totals fit a phone's width.
 */

const ADMIN: StaffAccount = {
  name: 'Ha-eun Park',
  email: 'ha-eun.park@example.org',
  password: 'correct horse battery staple',
};
const OFFICER: StaffAccount = {
  name: 'Ji-woo Han',
  email: 'ji-woo.han@example.org',
  password: 'lanterns along the Han at dusk',
};

function expectOk(step: string, r: { status: number; body: unknown }): void {
  if (r.status >= 300) throw new Error(`${step}: ${r.status} ${JSON.stringify(r.body)}`);
}

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
    adminContext = await browser.newContext({ locale: 'en-US' });
    const admin = await adminContext.newPage();
    admin.setDefaultTimeout(15_000);
    await setUpAdministrator(admin, passage, ADMIN, totpCode);
    expectOk(
      'invite',
      await pageApi(admin, 'POST', '/api/admin/invitations', {
        email: OFFICER.email,
        name: OFFICER.name,
        role: 'development',
      }),
    );
    const link = await invitationLinkFor(admin, OFFICER.email);
    const token = decodeURIComponent(new URL(link).hash.slice(1));
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    collectConsoleErrors(page, consoleErrors);
    await page.goto(passage.url);
    expectOk(
      'accept',
      await pageApi(page, 'POST', '/api/invitations/accept', { token, password: OFFICER.password }),
    );
    const enabled = await pageApi<{ totpURI: string }>(page, 'POST', '/api/auth/two-factor/enable', {
      password: OFFICER.password,
    });
    expectOk('two-factor/enable', enabled);
    OFFICER.totpSecret = new URL(enabled.body.totpURI).searchParams.get('secret') ?? '';
    expectOk(
      'verify-totp',
      await pageApi(page, 'POST', '/api/auth/two-factor/verify-totp', { code: totpCode(OFFICER.totpSecret) }),
    );
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
    await page.goto(`${passage.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(OFFICER.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(OFFICER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Enter your code' }).waitFor();
    await page.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(OFFICER.totpSecret ?? ''));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/console\//);

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
