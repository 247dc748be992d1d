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
 * A development officer enters a week's paper slips: an administrator invites them; they sign in, add the
 * rescue fund and a campaign, open a batch with the slips' control total, enter a cheque, a donor-advised
 * fund grant and a cash gift until the difference reaches zero, post the batch, see the gifts settled and
 * the fund's balance grow, then refund part of the cheque: a new negative entry, the old one untouched.
 */

const OFFICER: StaffAccount = {
  name: 'Ji-woo Han',
  email: 'ji-woo.han@example.org',
  password: 'lanterns along the Han at dusk',
};

describe('giving: a development officer enters, posts and corrects a batch of offline gifts', () => {
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
    // The donors already on file (People is another page's journey).
    for (const supporter of [
      { kind: 'individual', firstName: 'Min-ji', lastName: 'Cho', email: 'minji.cho@example.org' },
      { kind: 'organisation', organisationType: 'foundation', displayName: 'Hanbit Giving Fund' },
      { kind: 'individual', firstName: 'Daniel', lastName: 'Reyes', postcode: '10027' },
    ])
      expectOk('supporter', await pageApi(page, 'POST', '/api/people', supporter));
    await pageApi(page, 'POST', '/api/auth/sign-out', {});
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('signs in and opens Giving: the ledger check is in order', async () => {
    await signInWithCode(page, passage, OFFICER);

    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Giving', exact: true })
      .click();
    await page.waitForURL(/\/console\/giving$/);
    await page.getByRole('heading', { level: 1, name: 'Giving' }).waitFor();
    await page.getByTestId('ledger-check-ok').waitFor();
    await page.getByText('No batch is open.').waitFor();
    await expectAccessible(page, 'giving home');
  });

  it('adds the restricted rescue fund and a campaign of 100 rescues', async () => {
    await page.getByTestId('giving-nav-funds').click();
    await page.getByTestId('fund-list-empty').waitFor();
    await expectAccessible(page, 'funds (empty)');
    await page.getByTestId('fund-create-toggle').click();
    await page.getByTestId('fund-name').fill('Rescue fund — 100% to rescues');
    await page.getByTestId('fund-code').fill('rescue-fund');
    await page.getByTestId('fund-restricted').check();
    await page.getByTestId('fund-submit').click();
    const fund = page.locator('[data-testid="fund-row"][data-code="rescue-fund"]');
    await fund.waitFor();
    expect(await fund.textContent()).toContain('Restricted');
    expect(await fund.getByTestId('fund-balances').textContent()).toBe('—');
    await expectAccessible(page, 'funds');

    await page.getByTestId('giving-nav-campaigns').click();
    await page.getByTestId('campaign-list-empty').waitFor();
    await page.getByTestId('campaign-create-toggle').click();
    await page.getByTestId('campaign-form').waitFor();
    await expectAccessible(page, 'campaigns, new campaign form');
    await page.getByTestId('campaign-name').fill('The Hundred');
    await page.getByTestId('campaign-code').fill('the-hundred');
    expect(await page.getByTestId('campaign-unit-price').inputValue()).toBe('2,500.00');
    await page.getByTestId('campaign-fund').selectOption({ label: 'Rescue fund — 100% to rescues' });
    await page.getByTestId('campaign-submit').click();
    const campaign = page.locator('[data-testid="campaign"][data-code="the-hundred"]');
    await campaign.waitFor();
    expect(await campaign.getByTestId('campaign-progress').textContent()).toBe('0 of 100 rescues');
    expect(await campaign.getByTestId('campaign-donate-link').inputValue()).toBe(
      `${passage.url}/give?campaign=the-hundred`,
    );
    expect(await campaign.getByTestId('campaign-widget-snippet').inputValue()).toContain(
      `<iframe src="${passage.url}/widget/campaigns/the-hundred"`,
    );
    await expectAccessible(page, 'campaigns');
  });

  it('opens a batch with a control total of $3,750.00', async () => {
    await page.getByTestId('giving-nav-batches').click();
    await page.getByTestId('batch-list-empty').waitFor();
    await page.getByTestId('batch-open-toggle').click();
    await page.getByTestId('batch-open-form').waitFor();
    await expectAccessible(page, 'batches, open form');
    await page.getByTestId('batch-name').fill('Slips, week of 2 March');
    await page.getByTestId('batch-currency').selectOption('USD');
    await page.getByTestId('batch-control-total').fill('3,750.00');
    await page.getByTestId('batch-open-submit').click();
    await page.waitForURL(/\/console\/giving\/batches\/[0-9a-f-]{36}$/);
    await page.getByTestId('batch-entry-form').waitFor();
    expect(await page.getByTestId('batch-difference').textContent()).toBe('$3,750.00');
    expect(await page.getByTestId('batch-post').isDisabled()).toBe(true);
    await expectAccessible(page, 'batch page (empty)');
  });

  /** Picks a supporter by searching, then enters one slip; method, fund and campaign stay for the next. */
  async function enterSlip(search: string, name: string, amount: string, method: string) {
    await page.getByTestId('entry-supporter-search').fill(search);
    await page.getByTestId('entry-supporter-option').filter({ hasText: name }).click();
    await page.getByTestId('entry-supporter-picked').filter({ hasText: name }).waitFor();
    await page.getByTestId('entry-amount').fill(amount);
    await page.getByTestId('entry-method').selectOption(method);
    const before = await page.getByTestId('batch-gift').count();
    await page.getByTestId('entry-submit').click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="batch-gift"]').length === n,
      before + 1,
    );
  }

  it('enters a cheque, a donor-advised fund grant and cash until the difference is zero', async () => {
    await page.getByTestId('entry-fund').selectOption('rescue-fund');
    await page.getByTestId('entry-campaign').selectOption('the-hundred');
    await page.getByTestId('entry-received-on').fill('2026-03-02');
    await enterSlip('min', 'Min-ji Cho', '500', 'cheque');
    expect(await page.getByTestId('batch-difference').textContent()).toBe('$3,250.00');
    expect(await page.getByTestId('batch-difference-text').textContent()).toBe('$3,250.00 still to enter.');
    // The search took the focus back for the next slip.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'entry-supporter-search',
    );

    // The grant carries a soft credit to the fundraiser who brought it in.
    await page.getByTestId('entry-credit-add').click();
    await page.getByTestId('entry-credit-kind').selectOption('fundraiser');
    await page.getByTestId('entry-credit-supporter-search').fill('Min-ji');
    await page.getByTestId('entry-credit-supporter-option').filter({ hasText: 'Min-ji Cho' }).click();
    await expectAccessible(page, 'batch page, entering a gift with a soft credit');
    await enterSlip('hanbit', 'Hanbit Giving Fund', '3,000', 'daf');
    expect(await page.getByTestId('batch-difference').textContent()).toBe('$250.00');

    await enterSlip('10027', 'Daniel Reyes', '250.00', 'cash');
    expect(await page.getByTestId('batch-difference').textContent()).toBe('$0.00');
    expect(await page.getByTestId('batch-entered').textContent()).toBe('$3,750.00');
    await page.getByText('The gifts add up to the control total: the batch can be posted.').waitFor();
    const methods = await page.getByTestId('batch-gift').locator('td:nth-child(3)').allTextContents();
    expect(methods).toEqual(['Cheque', 'Donor-advised fund', 'Cash']);
    expect(await page.getByTestId('batch-gift').getByTestId('gift-status').allTextContents()).toEqual([
      'Pending',
      'Pending',
      'Pending',
    ]);
    await expectAccessible(page, 'batch page, matched');
  });

  it('posts the batch: the gifts settle and the rescue fund grows by $3,750.00', async () => {
    await page.getByTestId('batch-post').click();
    const dialog = page.getByRole('dialog', { name: 'Post this batch?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('3 gifts of $3,750.00 in all settle now');
    await expectAccessible(page, 'post batch dialog');
    await page.getByTestId('batch-post-confirm-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('batch-status').filter({ hasText: 'Posted' }).waitFor();
    expect(await page.getByTestId('batch-gift').getByTestId('gift-status').allTextContents()).toEqual([
      'Settled',
      'Settled',
      'Settled',
    ]);
    expect(await page.getByTestId('batch-entry-form').count()).toBe(0);
    expect(await page.getByTestId('batch-post').count()).toBe(0);
    await expectAccessible(page, 'batch page, posted');

    await page.getByTestId('giving-nav-funds').click();
    const balance = page
      .locator('[data-testid="fund-row"][data-code="rescue-fund"]')
      .getByTestId('fund-balance');
    await balance.waitFor();
    expect(await balance.textContent()).toBe('$3,750.00');

    await page.getByTestId('giving-nav-campaigns').click();
    await page.getByText('$3,750.00 raised').waitFor();
    expect(
      await page
        .locator('[data-testid="campaign"][data-code="the-hundred"]')
        .getByTestId('campaign-progress')
        .textContent(),
    ).toBe('1 of 100 rescues');
  });

  it('lists the settled gifts, and works on a phone without scrolling sideways', async () => {
    await page.getByTestId('giving-nav-gifts').click();
    await page.getByTestId('gift-list').waitFor();
    await page.getByTestId('gift-filter-status').selectOption('settled');
    await page.waitForURL(/status=settled/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gift-row"]').length === 3);
    expect(await page.getByTestId('gift-amount').allTextContents()).toEqual(
      expect.arrayContaining(['$500.00', '$3,000.00', '$250.00']),
    );
    await expectAccessible(page, 'gift list');

    // Download CSV takes the page's filter: the settled gifts as a file, amounts as decimals in USD.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('gift-list-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`gifts-${new Date().toISOString().slice(0, 10)}.csv`);
    expect(download.url()).toContain('status=settled');
    const csv = (await import('node:fs')).readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const [header, ...lines] = csv.trim().split('\n');
    expect(header).toBe(
      'gift_id,date,supporter_id,supporter_name,currency,amount,fee_covered,refunded,fund_code,fund_name,campaign_code,campaign_name,method,source,status,settled_at,batch_id,anonymous',
    );
    expect(lines).toHaveLength(3);
    // The donor-advised fund's grant: its name, the amount in dollars with cents, how it came, settled.
    expect(lines.find((l) => l.includes(',USD,3000.00,'))).toMatch(
      /,Hanbit Giving Fund,USD,3000\.00,0\.00,0\.00,rescue-fund,.*,daf,offline,settled,/,
    );
    // A phone: the same session in a 390 px window. Tables scroll inside their own box, not the page.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    try {
      await phone.addCookies(await context.cookies());
      const p = await phone.newPage();
      await p.goto(`${passage.url}/console/giving/gifts?status=settled`);
      await p.getByTestId('gift-list').waitFor();
      // On failure, name what sticks out past the screen's edge (outside a scrolling box), and its parents.
      const wide = (await hasHorizontalScroll(p))
        ? await p.evaluate(() => {
            const out = [...document.querySelectorAll('body *')].find(
              (e) => e.getBoundingClientRect().right > window.innerWidth + 1,
            );
            const chain: string[] = [];
            for (let e = out ?? null; e; e = e.parentElement)
              chain.push(
                `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().width)}`,
              );
            return chain;
          })
        : [];
      expect(wide).toEqual([]);
      await expectAccessible(p, 'gift list at 390 px');
    } finally {
      await phone.close();
    }
  });

  it('refunds $200.00 of the cheque: a new negative entry, the gift entry untouched', async () => {
    await page.getByTestId('gift-row').filter({ hasText: '$500.00' }).getByTestId('gift-link').click();
    await page.getByTestId('gift-page').waitFor();
    expect(await page.getByTestId('ledger-entry-amount').allTextContents()).toEqual(['$500.00']);
    expect(await page.getByTestId('gift-receipt-pdf').getAttribute('href')).toMatch(/\/receipt\.pdf$/);
    await expectAccessible(page, 'gift page');

    await page.getByTestId('refund-amount').fill('200');
    await page.getByTestId('refund-open').click();
    const dialog = page.getByRole('dialog', { name: 'Refund this gift?' });
    await dialog.waitFor();
    expect(await page.getByTestId('refund-effect').textContent()).toContain(
      'a new opposite entry of −$200.00',
    );
    expect(await page.getByTestId('refund-effect').textContent()).toContain('keeping $300.00');
    await expectAccessible(page, 'refund dialog');
    await page.getByTestId('refund-confirm-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ledger-entry"]').length === 2);
    expect(await page.getByTestId('ledger-entry-amount').allTextContents()).toEqual(['$500.00', '−$200.00']);
    expect(await page.getByTestId('ledger-entry').nth(1).getAttribute('data-kind')).toBe('refund');
    expect(await page.getByTestId('gift-refunded').textContent()).toBe('$200.00 refunded; $300.00 kept.');
    await expectAccessible(page, 'gift page, partly refunded');

    await page.getByTestId('giving-nav-funds').click();
    const balance = page
      .locator('[data-testid="fund-row"][data-code="rescue-fund"]')
      .getByTestId('fund-balance');
    await balance.filter({ hasText: '$3,550.00' }).waitFor();

    await page.getByTestId('giving-nav-home').click();
    await page.getByTestId('ledger-check-ok').waitFor();
  });

  it('gives a funded unit only to a case code the rescues module knows, and shows its refusal', async () => {
    await page.getByTestId('giving-nav-allocations').click();
    // $3,550.00 in the rescue fund: one whole US$2,500 unit.
    expect(await page.getByTestId('allocate-available').textContent()).toBe('1 funded unit to give');
    await page.getByTestId('allocate-empty').waitFor();
    await expectAccessible(page, 'units to cases');
    await page.getByTestId('allocate-code').fill('not a code');
    await page.getByTestId('allocate-submit').click();
    await page.getByText('A case code such as QUIET-HERON-27.').waitFor();
    await page.getByTestId('allocate-code').fill('nobody-here-00');
    await page.getByTestId('allocate-submit').click();
    const refusal = page.getByTestId('allocate-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('No rescue case with this code.');
    expect(await page.getByTestId('allocate-available').textContent()).toBe('1 funded unit to give');
    await expectAccessible(page, 'units to cases, refused');
    expect(consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it('shows the administrator the same gifts, with no buttons that would change them', async () => {
    const admin = adminContext.pages()[0] as Page;
    await admin.goto(`${passage.url}/console/giving/gifts`);
    await admin.getByTestId('gift-list').waitFor();
    expect(await admin.getByTestId('gift-row').count()).toBe(3);
    await admin.getByTestId('gift-row').filter({ hasText: '$500.00' }).getByTestId('gift-link').click();
    await admin.getByTestId('gift-page').waitFor();
    expect(await admin.getByTestId('ledger-entry-amount').allTextContents()).toEqual(['$500.00', '−$200.00']);
    expect(await admin.getByTestId('refund-panel').count()).toBe(0);
    expect(await admin.getByTestId('move-panel').count()).toBe(0);
    await expectAccessible(admin, 'gift page, administrator');
    await admin.getByTestId('giving-nav-batches').click();
    await admin.getByTestId('batch-list').waitFor();
    expect(await admin.getByTestId('batch-open-toggle').count()).toBe(0);
    await admin.getByTestId('giving-nav-funds').click();
    await admin.getByTestId('fund-list').waitFor();
    expect(await admin.getByTestId('fund-create-toggle').count()).toBe(0);
  });
});
