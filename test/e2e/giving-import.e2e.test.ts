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
 * A development officer imports a CiviCRM contribution export with one bad row: the dry run reports exactly
 * that row (line, column, reason), the import is refused until "skip bad rows" is ticked, then the good rows
 * are written with a progress bar reaching 100% and the counts right.
 */

const OFFICER: StaffAccount = {
  name: 'Ji-woo Han',
  email: 'ji-woo.han@example.org',
  password: 'lanterns along the Han at dusk',
};

/** CiviCRM's contribution export: the header is line 1, so Ben's impossible date is on line 4. */
const CIVICRM = `${[
  'Contact ID,Email,First Name,Last Name,Total Amount,Currency,Receive Date,Financial Type,Payment Method,Transaction ID,Contribution Status',
  '101,ana.kim@example.org,Ana,Kim,250.00,USD,2024-03-01,Donation,Check,CV-1,Completed',
  '101,ana.kim@example.org,Ana,Kim,50000,KRW,2024-04-01,Donation,Cash,CV-2,Completed',
  '102,ben.lee@example.org,Ben,Lee,40.00,USD,2024-02-30,Donation,Credit Card,CV-3,Completed',
  '103,chi.park@example.org,Chi,Park,75.00,CAD,2024-05-05,Donation,EFT,CV-4,Completed',
  '104,dae.oh@example.org,Dae,Oh,20.00,EUR,2024-06-06,Donation,Check,CV-5,Completed',
].join('\n')}\n`;

describe('giving: a CiviCRM-format file is imported with one bad row reported', () => {
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
    // The fund gifts go to when the file's "Financial Type" is not a Passage fund.
    expectOk(
      'fund',
      await pageApi(page, 'POST', '/api/giving/funds', {
        code: 'most-needed',
        name: 'Where most needed',
        restricted: false,
      }),
    );
    await pageApi(page, 'POST', '/api/auth/sign-out', {});
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('signs in and opens Import', async () => {
    await signInWithCode(page, passage, OFFICER);

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Import' }).click();
    await page.waitForURL(/\/console\/giving-import$/);
    await page.getByRole('heading', { level: 1, name: 'Import contacts and gifts' }).waitFor();
    await page.getByText('No imports yet.').waitFor();
    expect(await page.getByTestId('import-check').isDisabled()).toBe(true);
    await expectAccessible(page, 'import (no file)');
  });

  it('checks the file: CiviCRM detected, the columns mapped, exactly the one bad row reported', async () => {
    await page.getByTestId('import-file').setInputFiles({
      name: 'civicrm-contributions.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CIVICRM, 'utf8'),
    });
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-errors').waitFor();

    await page.getByTestId('import-detected').waitFor();
    expect(await page.getByTestId('import-layout').inputValue()).toBe('CiviCRM contribution import');
    expect(await page.getByTestId('import-mapping-row').count()).toBe(11);
    expect(
      await page.getByRole('combobox', { name: 'Passage field for the column Total Amount' }).inputValue(),
    ).toBe('Amount');
    expect(await page.getByTestId('import-rows-read').textContent()).toBe('5');
    expect(await page.getByTestId('import-good-rows').textContent()).toBe('4');
    expect(await page.getByTestId('import-bad-rows').textContent()).toBe('1');

    const rows = page.getByTestId('import-error-row');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      '4',
      'Receive Date',
      '"2024-02-30" is not a date on the calendar',
    ]);
    expect(await page.getByTestId('import-targets').textContent()).toContain('Fund “Donation” → most-needed');
    await expectAccessible(page, 'import: dry run report');
  });

  it('refuses to import until the bad row is skipped, then writes the good rows with the bar at 100%', async () => {
    const commit = page.getByTestId('import-commit');
    expect(await commit.isDisabled()).toBe(true);
    expect(await page.getByTestId('import-commit-help').textContent()).toBe(
      'The file has bad rows: fix them and check again, or skip them.',
    );
    await page.getByTestId('import-skip').check();
    expect(await commit.isDisabled()).toBe(false);
    expect(await commit.textContent()).toBe('Import 4 gifts');
    await commit.click();

    await page.getByTestId('import-result').waitFor();
    expect(await page.getByTestId('import-progress').getAttribute('data-percent')).toBe('100');
    expect(await page.getByTestId('import-progress-text').textContent()).toBe('100% · 4 of 4 rows');
    expect(await page.getByTestId('import-result-gifts').textContent()).toBe('4');
    expect(await page.getByTestId('import-result-supporters').textContent()).toBe('3');
    expect(await page.getByTestId('import-result-skipped').textContent()).toBe('1');
    expect(await page.getByTestId('import-result-detail').textContent()).toContain(
      '4 settled, 0 refunded, 0 failed or cancelled',
    );
    await expectAccessible(page, 'import: result');

    // The ledger agrees: four settled gifts, receipts recorded and none mailed.
    const check = await pageApi<{ ok: boolean; counts: { gifts: number; receipts: number } }>(
      page,
      'GET',
      '/api/giving/check',
    );
    expect(check.body).toMatchObject({ ok: true, counts: { gifts: 4, receipts: 4 } });
    const runs = page.getByTestId('import-runs');
    await runs.getByText('Imported', { exact: true }).waitFor();
    expect(await runs.textContent()).toContain('civicrm-contributions.csv');
  });

  it('reports the same file as imported before, and fits a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('import-again').click();
    await page.getByTestId('import-file').setInputFiles({
      name: 'civicrm-contributions.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CIVICRM, 'utf8'),
    });
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-errors').waitFor();
    expect(await page.getByTestId('import-already').textContent()).toBe('4');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await expectAccessible(page, 'import on a phone: the same file again');
    expect(consoleErrors).toEqual([]);
  });
});
