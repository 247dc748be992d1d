import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectConsoleErrors,
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  launchBrowser,
  type RunningPassage,
  startPassage,
} from '../harness/browser';
import {
  browserStorage,
  CANARY,
  COORDINATOR,
  type RescueTeam,
  setUpRescueTeam,
  stepUpInDialog,
} from './rescues-setup';

const CODE = /^[A-Z]+-[A-Z]+-\d{2}$/;

describe('rescues: a coordinator opens a case with two travellers and reveals their identities after step-up', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let team: RescueTeam;
  let page: Page;
  let code = '';
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    team = await setUpRescueTeam(browser, passage, consoleErrors);
    page = team.coordinator.page;
  }, 120_000);

  afterAll(async () => {
    await team?.adminContext.close();
    await team?.coordinator.context.close();
    await team?.partner.context.close();
    await browser?.close();
    await passage?.stop();
  });

  it('lands on the rescue overview, which is empty', async () => {
    await page.goto(`${passage.url}/console`);
    await page.waitForURL(/\/console\/rescues$/);
    await page.getByRole('heading', { level: 1, name: 'Rescues' }).waitFor();
    await page.getByTestId('rescue-dashboard').waitFor();
    expect(await page.getByTestId('dash-on-route').textContent()).toBe('0');
    await page.getByText('No open alerts.').waitFor();
    await expectAccessible(page, 'rescues overview');
  });

  it('opens a case with two travellers on a route template', async () => {
    await page.getByRole('tab', { name: 'Open a case' }).click();
    await page.getByTestId('open-case-form').waitFor();
    await expectAccessible(page, 'open a case (empty)');

    // The only compartment is chosen already.
    expect(await page.getByTestId('open-compartment').inputValue()).toBe(team.compartmentId);
    await page.getByTestId('open-destination').selectOption('south_korea');
    await page.getByTestId('open-template').selectOption({ label: 'Northern route, three legs' });
    await page.getByTestId('open-route-start').fill('2030-03-01');

    // Submitting with nothing filled in names every missing answer on its field.
    await page.getByTestId('open-submit').click();
    await page.getByText('Required').first().waitFor();

    const first = page.getByTestId('open-traveller').nth(0);
    await first.getByTestId('traveller-category').selectOption('adult');
    await first.getByTestId('traveller-sex').selectOption('female');
    await first.getByTestId('traveller-age-band').selectOption('30_44');
    await first.getByTestId('traveller-birth-year').fill('1988');
    await first.getByRole('radiogroup', { name: 'Travelling with family?' }).getByLabel('Yes').check();
    await first.getByRole('radiogroup', { name: 'Reunifying with family?' }).getByLabel('No').check();
    await first
      .getByRole('radiogroup', { name: 'Trafficked in China?' })
      .getByLabel('Declined to answer')
      .check();
    await first.getByRole('radiogroup', { name: 'Health needs?' }).getByLabel('No').check();
    await first.getByTestId('traveller-years').fill('9');
    await first.getByTestId('traveller-name').fill(CANARY.name1);
    await first.getByTestId('traveller-region').fill(CANARY.region1);

    await page.getByTestId('open-add-traveller').click();
    const second = page.getByTestId('open-traveller').nth(1);
    await second.getByTestId('traveller-category').selectOption('child_born_in_china');
    await second.getByTestId('traveller-sex').selectOption('male');
    // A child born in China must be under 18: the form says so before the server does.
    await second.getByTestId('traveller-age-band').selectOption('18_29');
    await second.getByRole('radiogroup', { name: 'Travelling with family?' }).getByLabel('Yes').check();
    await second.getByRole('radiogroup', { name: 'Reunifying with family?' }).getByLabel('No').check();
    await second.getByRole('radiogroup', { name: 'Trafficked in China?' }).getByLabel('No').check();
    await second.getByRole('radiogroup', { name: 'Health needs?' }).getByLabel('Yes').check();
    await second.getByTestId('traveller-years-declined').check();
    await second.getByTestId('traveller-name').fill(CANARY.name2);
    await page.getByTestId('open-submit').click();
    await second.getByText('A minor or a child born in China must be under 18').waitFor();
    await expectAccessible(page, 'open a case (errors)');
    await second.getByTestId('traveller-age-band').selectOption('5_12');

    await page.getByTestId('open-submit').click();
    await page.waitForURL(/\/console\/rescues\?case=/);
    await page.getByTestId('case-page').waitFor();
    code = (await page.getByTestId('case-page').getAttribute('data-code')) ?? '';
    expect(code).toMatch(CODE);
    // The address and the title carry the code, never a name.
    expect(decodeURIComponent(page.url())).toBe(`${passage.url}/console/rescues?case=${code}`);
    expect(await page.title()).toBe(`${code} · Passage`);

    await expect.poll(() => page.getByTestId('traveller-row').count()).toBe(2);
    await expect.poll(() => page.getByTestId('leg-row').count()).toBe(3);
    expect(await page.getByTestId('case-status').first().textContent()).toBe('In hiding');
    const legs = await page.getByTestId('leg-row').allTextContents();
    expect(legs[0]).toContain('Yanji → Shenyang');
    expect(legs[2]).toContain('Kunming → Vientiane');
    // Budget: the standard US$2,500 per person for two.
    expect(await page.getByTestId('costs-budget').textContent()).toBe(
      'Budget: $2,500.00 per person × 2 = $5,000.00',
    );
    // Nothing of an identity is on the page before step-up.
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain('CANARY');
    await expectAccessible(page, 'case page');
  });

  it('finds the case in the list by its code, and filters by status', async () => {
    await page.getByRole('link', { name: 'All cases' }).click();
    await page.getByTestId('case-list').waitFor();
    const row = page.getByTestId('case-row').filter({ hasText: code });
    await row.waitFor();
    expect(await row.getByTestId('case-status').textContent()).toBe('In hiding');
    await expectAccessible(page, 'case list');

    await page.getByTestId('filter-status').selectOption('arrived');
    await page.getByTestId('case-list-empty').waitFor();
    await page.getByTestId('filter-status').selectOption('in_hiding');
    await row.waitFor();
    // The filters live in the address, so the list can be linked to (by status, never by a name).
    await page.getByTestId('filter-flagged').click();
    await page.waitForURL(/flagged=1/);
    await page.getByTestId('case-list-empty').waitFor();
    await page.getByTestId('filter-flagged').click();
    await page.waitForURL((url) => !url.search.includes('flagged'));
    await row.getByRole('link', { name: code }).click();
    await page.getByTestId('case-page').waitFor();
  });

  it('reveals the identities after step-up, and hides them again', async () => {
    // Signing in with the authenticator code counts as a step-up for five minutes; move this page's
    // clock past that window so the console asks again, as it would later in the day.
    const casePage = page;
    page = await team.coordinator.context.newPage();
    page.setDefaultTimeout(15_000);
    collectConsoleErrors(page, consoleErrors);
    await page.clock.install();
    await page.goto(casePage.url());
    await casePage.close();
    await page.getByTestId('case-page').waitFor();
    await page.clock.fastForward('06:00');
    await page.getByTestId('identities-reveal').click();
    await stepUpInDialog(page, COORDINATOR);
    await page.getByTestId('identity-fields').first().waitFor();
    const names = await page.getByTestId('identity-name').allTextContents();
    expect(names).toEqual([CANARY.name1, CANARY.name2]);
    expect(await page.getByTestId('identity-currentRegion').first().textContent()).toBe(CANARY.region1);
    expect(await page.getByTestId('identity-currentRegion').nth(1).textContent()).toBe('Not recorded');
    await expectAccessible(page, 'case page with identities open');

    // Nothing of it in the browser's storage, the address or the title.
    const stored = await browserStorage(page);
    expect(stored).not.toContain('CANARY');
    expect(decodeURIComponent(page.url())).not.toContain('CANARY');
    expect(await page.title()).not.toContain('CANARY');

    await page.getByTestId('identities-hide').click();
    await page.getByTestId('identities-reveal').waitFor();
    expect(await page.getByTestId('identity-fields').count()).toBe(0);
    expect((await page.locator('body').textContent()) ?? '').not.toContain('CANARY');
  });

  it('forgets the identities when the page is left', async () => {
    // A page on the real clock (the clock belongs to the browser context): inside the five-minute
    // window the reveal opens without asking again.
    const skewed = page;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    await context.addCookies(await team.coordinator.context.cookies());
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    collectConsoleErrors(page, consoleErrors);
    await page.goto(skewed.url());
    await skewed.close();
    await page.getByTestId('case-page').waitFor();
    await page.getByTestId('identities-reveal').click();
    await page.getByTestId('identity-fields').first().waitFor();
    await page.getByRole('link', { name: 'All cases' }).click();
    await page.getByTestId('case-list').waitFor();
    await page.goBack();
    await page.getByTestId('case-page').waitFor();
    expect(await page.getByTestId('identity-fields').count()).toBe(0);
    expect((await page.locator('body').textContent()) ?? '').not.toContain('CANARY');
  });

  it('fits a 360 px phone: overview, list, case page and intake form, in Korean too', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ko-KR' });
    await phone.addCookies(await team.coordinator.context.cookies());
    const p = await phone.newPage();
    try {
      for (const [path, ready] of [
        ['/console/rescues', 'rescue-dashboard'],
        ['/console/rescues?view=cases', 'case-list'],
        [`/console/rescues?case=${code}`, 'case-page'],
        ['/console/rescues?view=open', 'open-case-form'],
      ] as const) {
        await p.goto(`${passage.url}${path}`);
        await p.getByTestId(ready).waitFor();
        expect(await hasHorizontalScroll(p), path).toBe(false);
        await expectAccessible(p, `${path} at 360 px (ko)`);
      }
      await p.goto(`${passage.url}/console/rescues?case=${code}`);
      await p.getByRole('heading', { level: 2, name: '경로 구간' }).waitFor();
      await p.screenshot({ path: 'test-results/rescues-case-360-ko.png', fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('ran without a console error or CSP refusal', () => {
    expect(consoleErrors.filter((e) => !/status of (400|401|403)/.test(e))).toEqual([]);
  });
});
