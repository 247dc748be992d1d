import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectConsoleErrors,
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
 * A development officer keeps the supporter records: an administrator invites them; they add a supporter
 * with her consent, a tag and a note, then add her again by mistake (same name, same postcode written
 * differently) and a note on that second record; a gift arrives on the second record. They find the pair on
 * the duplicates page, merge the second into the first, and see on the survivor's timeline the merge, the
 * note and the gift that moved with it. Every page passes an accessibility scan; nothing scrolls sideways on
 * a phone.
 */

const OFFICER: StaffAccount = {
  name: 'Ji-woo Han',
  email: 'ji-woo.han@example.org',
  password: 'lanterns along the Han at dusk',
};

/** Scans once any notification has gone: one fading out reads as low contrast (axe). */
async function scan(page: Page, label: string): Promise<void> {
  await page.locator('.mantine-Notification-root').first().waitFor({ state: 'detached', timeout: 10_000 });
  await expectAccessible(page, label);
}

/** What sticks out past the right edge of the viewport, for a failure message. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 8)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(e.getBoundingClientRect().right)}`,
      ),
  );
}

describe('supporters: a development officer finds two records of one supporter and merges them', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let adminContext: BrowserContext;
  let context: BrowserContext;
  let page: Page;
  let firstId = '';
  let secondId = '';
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
    // A fund for the gift that arrives later (funds are another page's journey).
    expectOk(
      'fund',
      await pageApi(page, 'POST', '/api/giving/funds', {
        code: 'rescue-fund',
        name: 'Rescue fund',
        restricted: true,
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('opens Supporters from the console navigation: nobody yet', async () => {
    await page.goto(`${passage.url}/console`);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Supporters' }).click();
    await page.waitForURL(/\/console\/supporters$/);
    await page.getByRole('heading', { level: 1, name: 'Supporters' }).waitFor();
    await page.getByTestId('supporter-search-empty').waitFor();
    await scan(page, 'supporter search (empty)');
  });

  it('adds a supporter, then her email consent, a tag and a note', async () => {
    await page.getByTestId('supporters-nav-new').click();
    await page.getByTestId('supporter-create-form').waitFor();
    await scan(page, 'add a supporter');
    // An organisation needs its type: the server names the field.
    await page.getByTestId('supporter-kind-select').selectOption('organisation');
    await page.getByTestId('supporter-displayName').fill('Hope Church');
    await page.getByTestId('supporter-create-submit').click();
    await page.getByText('is required for an organisation').waitFor();
    await scan(page, 'add a supporter (refused)');

    await page.getByTestId('supporter-kind-select').selectOption('individual');
    await page.getByTestId('supporter-firstName').fill('Eun-ji');
    await page.getByTestId('supporter-lastName').fill('Seo');
    await page.getByTestId('supporter-email').fill('eunji.seo@example.org');
    await page.getByTestId('supporter-postcode').fill('04524');
    await page.getByTestId('supporter-create-submit').click();
    await page.waitForURL(/\/console\/supporters\/[0-9a-f-]{36}$/);
    firstId = page.url().split('/').at(-1) ?? '';
    expect(await page.getByTestId('supporter-name').textContent()).toBe('Eun-ji Seo');
    await page.getByTestId('supporter-timeline').getByTestId('timeline-event').first().waitFor();
    await scan(page, 'supporter page');

    await page.getByTestId('consent-record-email').click();
    await page.getByTestId('consent-form').waitFor();
    await scan(page, 'record consent dialog');
    await page.getByTestId('consent-method').selectOption('paper_form');
    await page.getByTestId('consent-submit').click();
    await page.getByTestId('consent-form').waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByTestId('consent-email').getByTestId('consent-status').textContent())
      .toBe('Given');

    await page.getByTestId('supporter-tag-input').fill('gala-2026');
    await page.getByTestId('supporter-tag-add').click();
    await page.getByTestId('supporter-tag').filter({ hasText: 'gala-2026' }).waitFor();
    await page.getByTestId('supporter-note-input').fill('Met her at the Seoul gala; prefers email.');
    await page.getByTestId('supporter-note-add').click();
    await page.getByTestId('supporter-note').filter({ hasText: 'Seoul gala' }).waitFor();
    await page.locator('[data-testid="timeline-event"][data-kind="consent.granted"]').waitFor();
    await page.getByTestId('consent-history-toggle').click();
    await page
      .getByTestId('consent-history')
      .getByText(/Email: given \(paper form\)/)
      .waitFor();
    await scan(page, 'supporter page with consent, tag and note');
  });

  it('adds her again by mistake: the new record says it may be a duplicate', async () => {
    await page.getByTestId('supporters-nav-new').click();
    await page.getByTestId('supporter-firstName').fill('Eun-ji');
    await page.getByTestId('supporter-lastName').fill('Seo');
    await page.getByTestId('supporter-postcode').fill('04 524');
    await page.getByTestId('supporter-phone').fill('+82 10 5555 0101');
    await page.getByTestId('supporter-create-submit').click();
    await page.waitForURL(
      (url) => /\/console\/supporters\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(firstId),
    );
    secondId = page.url().split('/').at(-1) ?? '';
    await page.getByTestId('supporter-duplicates-hint').waitFor();
    await page.getByTestId('supporter-note-input').fill('Called about the monthly newsletter.');
    await page.getByTestId('supporter-note-add').click();
    await page.getByTestId('supporter-note').filter({ hasText: 'monthly newsletter' }).waitFor();
    await scan(page, 'second supporter page with the duplicate hint');

    // A cheque arrives and is entered on the second record (the batch is the giving console's journey).
    const batch = await pageApi<{ id: string }>(page, 'POST', '/api/giving/batches', {
      name: 'Cheques, week 12',
      currency: 'USD',
      controlTotalMinor: 15_000,
    });
    expectOk('batch', batch);
    expectOk(
      'gift',
      await pageApi(page, 'POST', `/api/giving/batches/${batch.body.id}/gifts`, {
        supporterId: secondId,
        amountMinor: 15_000,
        method: 'cheque',
        fund: 'rescue-fund',
        receivedOn: '2026-03-02',
      }),
    );
    expectOk('post', await pageApi(page, 'POST', `/api/giving/batches/${batch.body.id}/post`, {}));
  });

  it('searches by name and by tag', async () => {
    await page.getByTestId('supporters-nav-search').click();
    await page.getByTestId('supporter-search-q').fill('seo');
    await expect.poll(() => page.getByTestId('supporter-row').count()).toBe(2);
    await page.getByTestId('supporter-search-q').fill('');
    await page.getByTestId('supporter-search-tag').fill('gala-2026');
    await expect.poll(() => page.getByTestId('supporter-row').count()).toBe(1);
    expect(await page.getByTestId('supporter-row').getAttribute('data-id')).toBe(firstId);
    await scan(page, 'supporter search by tag');
  });

  it('finds the pair on the duplicates page and merges the second record into the first', async () => {
    await page.getByTestId('supporters-nav-duplicates').click();
    const pair = page.getByTestId('duplicate-pair');
    await pair.waitFor();
    expect(await pair.count()).toBe(1);
    expect(await pair.getByTestId('duplicate-reason').allTextContents()).toEqual(['Same name and postcode']);
    await scan(page, 'duplicates');

    await pair.getByTestId('duplicate-merge').click();
    const dialog = page.getByRole('dialog', { name: 'Merge two records' });
    await dialog.waitFor();
    // The older record is offered as the one that stays.
    expect(await dialog.locator(`[data-testid="merge-survivor"][data-id="${firstId}"]`).isChecked()).toBe(
      true,
    );
    expect(await dialog.getByTestId('merge-summary').textContent()).toBe(
      'Eun-ji Seo will be merged into Eun-ji Seo.',
    );
    await scan(page, 'merge dialog');
    await dialog.getByTestId('merge-confirm').click();
    await page.getByTestId('merge-result').waitFor();
    await scan(page, 'merge result');
    await page.getByTestId('merge-open-survivor').click();
    await page.waitForURL(new RegExp(`/console/supporters/${firstId}$`));
  });

  it('shows the merge, the moved note and the moved gift on the survivor’s timeline', async () => {
    const timeline = page.getByTestId('supporter-timeline');
    await timeline.locator('[data-kind="supporter.merged"]').waitFor();
    expect(await timeline.locator('[data-kind="supporter.merged"]').textContent()).toContain(
      'The record of Eun-ji Seo was merged into this one',
    );
    await timeline.getByTestId('timeline-note').filter({ hasText: 'monthly newsletter' }).waitFor();
    await timeline.getByTestId('timeline-note').filter({ hasText: 'Seoul gala' }).waitFor();
    const gift = timeline.locator('[data-kind="gift.settled"]');
    expect(await gift.textContent()).toContain('Gave $150.00 to Rescue fund (cheque)');
    expect(await gift.getByRole('link').getAttribute('href')).toMatch(
      /^\/console\/giving\/gifts\/[0-9a-f-]{36}$/,
    );
    // The survivor took the phone it lacked, and the gift counts in its giving.
    expect(await page.getByTestId('supporter-contact').textContent()).toContain('+82 10 5555 0101');
    expect(await page.getByTestId('giving-totals').textContent()).toContain('$150.00');
    // No duplicate is suggested any more.
    expect(await page.getByTestId('supporter-duplicates-hint').count()).toBe(0);
    await scan(page, 'survivor after the merge');
  });

  it('fits a 390 px phone, in Korean too: search, a supporter, duplicates, the form', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ko-KR' });
    await phone.addCookies(await context.cookies());
    const p = await phone.newPage();
    p.setDefaultTimeout(15_000);
    collectConsoleErrors(p, consoleErrors);
    try {
      for (const [path, ready] of [
        ['/console/supporters?q=seo', 'supporter-results'],
        [`/console/supporters/${firstId}`, 'timeline-list'],
        ['/console/supporters/duplicates', 'duplicates-empty'],
        ['/console/supporters/new', 'supporter-create-form'],
      ] as const) {
        await p.goto(`${passage.url}${path}`);
        await p.getByTestId(ready).waitFor();
        expect(await hasHorizontalScroll(p), `${path}:\n${(await overflowing(p)).join('\n')}`).toBe(false);
        await scan(p, `${path} at 390 px (ko)`);
      }
      expect(await p.getByTestId('supporter-create-submit').textContent()).toBe('후원자 추가');
    } finally {
      await phone.close();
    }
  });

  it('sends the reader of the merged record to the survivor', async () => {
    await page.goto(`${passage.url}/console/supporters/${secondId}`);
    await page.getByTestId('supporter-merged').waitFor();
    await scan(page, 'merged record');
    await page.getByTestId('supporter-merged').getByRole('link').click();
    await page.waitForURL(new RegExp(`/console/supporters/${firstId}$`));
    // Expected refusals only: the organisation without a type (400) and the merged record (410).
    expect(consoleErrors.filter((e) => !/status of (400|410)/.test(e))).toEqual([]);
  });
});
