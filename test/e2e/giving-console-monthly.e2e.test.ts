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
import { expectOk, type RescueTeam, setUpRescueTeam } from './rescues-setup';
import { inviteAndEnrol } from './staff-setup';

/*
 * The staff console's newer giving pages, as a development officer uses them: the monthly gifts (a donor
 * phones to stop: pause, then cancel, each after a dialog; resuming stays the donor's), a split gift's
 * refund shown fund by fund before it is made (and then written exactly so), and funded units given to a
 * case by code for a campaign. The administrator reads the monthly gifts without a button to change them.
 */

const OFFICER: StaffAccount = {
  name: 'Ji-woo Han',
  email: 'ji-woo.han@example.org',
  password: 'lanterns along the Han at dusk',
};
const DAY = 24 * 60 * 60 * 1000;

describe('giving console: monthly gifts, a split gift’s refund, units for a campaign', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let team: RescueTeam;
  let context: BrowserContext;
  let page: Page;
  let caseCode = '';
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    // An administrator, and a rescue coordinator who opens the case the units go to (by its code only).
    team = await setUpRescueTeam(browser, passage, []);
    const admin = team.admin;
    const opened = await pageApi<{ code: string }>(team.coordinator.page, 'POST', '/api/rescues', {
      compartmentId: team.compartmentId,
      travellers: [
        {
          category: 'adult',
          sex: 'female',
          ageBand: '30_44',
          travellingWithFamily: 'no',
          reunifyingWithFamily: 'no',
          traffickedInChina: 'no',
          yearsInChina: 3,
          healthNeeds: 'no',
        },
      ],
    });
    expectOk('open case', opened);
    caseCode = opened.body.code;

    // The development officer, invited and enrolled.
    ({ context, page } = await inviteAndEnrol(browser, passage, admin, OFFICER, 'development', {
      viewport: { width: 1280, height: 900 },
      consoleErrors,
    }));

    // Funds and campaigns (their pages are the batch journey's): one open, one past, one yet to start.
    const fundIds: Record<string, string> = {};
    for (const fund of [
      { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true },
      { code: 'most-needed', name: 'Where most needed', restricted: false },
    ]) {
      const r = await pageApi<{ id: string }>(page, 'POST', '/api/giving/funds', fund);
      expectOk('fund', r);
      fundIds[fund.code] = r.body.id;
    }
    const now = Date.now();
    for (const c of [
      { code: 'the-hundred', name: 'The Hundred', startsAt: now - 30 * DAY },
      { code: 'winter-appeal', name: 'Winter appeal', startsAt: now - 400 * DAY, endsAt: now - 60 * DAY },
      { code: 'next-spring', name: 'Next spring', startsAt: now + 60 * DAY },
    ])
      expectOk(
        `campaign ${c.code}`,
        await pageApi(page, 'POST', '/api/giving/campaigns', {
          code: c.code,
          name: c.name,
          goalKind: 'units',
          goalUnits: 100,
          currency: 'USD',
          fundId: fundIds['rescue-fund'],
          startsAt: new Date(c.startsAt).toISOString(),
          ...(c.endsAt ? { endsAt: new Date(c.endsAt).toISOString() } : {}),
        }),
      );

    // A foundation's $8,000 cheque split $6,000 to rescues and $2,000 where most needed, entered and posted.
    const foundation = await pageApi<{ id: string }>(page, 'POST', '/api/people', {
      kind: 'organisation',
      organisationType: 'foundation',
      displayName: 'Hanbit Giving Fund',
    });
    expectOk('supporter', foundation);
    const batch = await pageApi<{ id: string }>(page, 'POST', '/api/giving/batches', {
      name: 'Cheques, March',
      currency: 'USD',
      controlTotalMinor: 800_000,
    });
    expectOk('batch', batch);
    expectOk(
      'split gift',
      await pageApi(page, 'POST', `/api/giving/batches/${batch.body.id}/gifts`, {
        supporterId: foundation.body.id,
        amountMinor: 800_000,
        method: 'cheque',
        fund: 'rescue-fund',
        receivedOn: '2026-03-02',
        splits: [
          { fund: 'rescue-fund', amountMinor: 600_000 },
          { fund: 'most-needed', amountMinor: 200_000 },
        ],
      }),
    );
    expectOk('post', await pageApi(page, 'POST', `/api/giving/batches/${batch.body.id}/post`, {}));

    // Three donors give monthly through the public donation route and the sandbox; the last card declines.
    for (const [firstName, lastName, extra] of [
      ['Hana', 'Yoon', { amountMinor: 30_000, currency: 'KRW', campaign: 'the-hundred' }],
      ['Daniel', 'Reyes', { amountMinor: 2_500, currency: 'USD', fund: 'most-needed' }],
      ['Bo-ra', 'Kim', { amountMinor: 5_000, currency: 'USD', testCard: '4000 0000 0000 0002' }],
    ] as const)
      expectOk(
        `monthly gift of ${firstName}`,
        await pageApi(page, 'POST', '/api/giving/donations', {
          frequency: 'monthly',
          testCard: '4242 4242 4242 4242',
          ...extra,
          donor: { email: `${firstName.toLowerCase()}@example.org`, firstName, lastName },
        }),
      );
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await team?.coordinator.context.close();
    await team?.partner.context.close();
    await team?.adminContext.close();
    await browser?.close();
    await passage?.stop();
  });

  const row = (p: Page, name: string) => p.getByTestId('monthly-row').filter({ hasText: name });

  it('lists the monthly gifts with who gives, how much a month, where to, their state and next charge', async () => {
    await page.goto(`${passage.url}/console/giving`);
    await page.getByRole('heading', { level: 1, name: 'Giving' }).waitFor();
    await page.getByTestId('giving-nav-monthly').click();
    await page.waitForURL(/\/console\/giving\/monthly$/);
    await page.getByTestId('monthly-list').waitFor();
    expect(await page.getByTestId('monthly-row').count()).toBe(3);
    expect(await page.title()).toContain('Monthly gifts');

    const hana = row(page, 'Hana Yoon');
    expect(await hana.getByTestId('monthly-amount').textContent()).toBe('₩30,000');
    expect(await hana.getByTestId('monthly-fund').textContent()).toBe('Rescue fund — 100% to rescues');
    expect(await hana.getByTestId('monthly-campaign').textContent()).toBe('The Hundred');
    expect(await hana.getByTestId('monthly-status').textContent()).toBe('Active');
    expect(await hana.getByTestId('monthly-next').textContent()).not.toBe('—');
    expect(await hana.getByTestId('monthly-failures').textContent()).toBe('0');

    const daniel = row(page, 'Daniel Reyes');
    expect(await daniel.getByTestId('monthly-amount').textContent()).toBe('$25.00');
    expect(await daniel.getByTestId('monthly-fund').textContent()).toBe('Where most needed');
    expect(await daniel.getByTestId('monthly-campaign').count()).toBe(0);

    // Refused on the donate page: it never started, and there is nothing to pause or cancel.
    const bora = row(page, 'Bo-ra Kim');
    expect(await bora.getByTestId('monthly-status').textContent()).toBe('Lapsed');
    expect(await bora.getByTestId('monthly-next').textContent()).toBe('—');
    expect(await bora.getByRole('button').count()).toBe(0);
    await expectAccessible(page, 'monthly gifts');

    await page.getByTestId('monthly-filter-status').selectOption('active');
    await page.waitForURL(/status=active/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="monthly-row"]').length === 2);
    await page.getByTestId('monthly-filter-status').selectOption('cancelled');
    await page.getByTestId('monthly-list-empty').waitFor();
    expect(await page.getByTestId('monthly-list-empty').textContent()).toBe(
      'No monthly gifts with this status.',
    );
    await expectAccessible(page, 'monthly gifts, none cancelled');
  });

  it('pauses a monthly gift after a dialog, leaves resuming to the donor, then cancels it', async () => {
    await page.getByTestId('monthly-filter-status').selectOption('active');
    await page.getByRole('button', { name: 'Pause the monthly gift of Hana Yoon' }).click();
    const pause = page.getByRole('dialog', { name: 'Pause this monthly gift?' });
    await pause.waitFor();
    expect(await page.getByTestId('monthly-confirm-body').textContent()).toBe(
      "Hana Yoon's gift of ₩30,000 a month is not charged until the donor resumes it from their donor portal. Nothing already given changes.",
    );
    await expectAccessible(page, 'pause dialog');
    await page.getByTestId('monthly-confirm-submit').click();
    await pause.waitFor({ state: 'detached' });
    // Gone from the active ones.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="monthly-row"]').length === 1);
    await page.getByTestId('monthly-filter-status').selectOption('paused');
    const hana = row(page, 'Hana Yoon');
    await hana.waitFor();
    expect(await hana.getByTestId('monthly-status').textContent()).toBe('Paused');
    expect(await hana.getByTestId('monthly-next').textContent()).toBe('—');
    expect(await hana.getByTestId('monthly-pause').count()).toBe(0);
    expect(await hana.getByTestId('monthly-resume-note').textContent()).toBe(
      'Only the donor can resume it, from their donor portal.',
    );
    await expectAccessible(page, 'monthly gifts, paused');

    await hana.getByTestId('monthly-cancel').click();
    const cancel = page.getByRole('dialog', { name: 'Cancel this monthly gift?' });
    await cancel.waitFor();
    expect(await page.getByTestId('monthly-confirm-body').textContent()).toContain('ends for good');
    await expectAccessible(page, 'cancel dialog');
    await page.getByTestId('monthly-confirm-submit').click();
    await cancel.waitFor({ state: 'detached' });
    await page.getByTestId('monthly-list-empty').waitFor();
    await page.getByTestId('monthly-filter-status').selectOption('cancelled');
    await row(page, 'Hana Yoon').getByTestId('monthly-status').filter({ hasText: 'Cancelled' }).waitFor();
    expect(await row(page, 'Hana Yoon').getByRole('button').count()).toBe(0);
  });

  it('opens the supporter from the list', async () => {
    await page.getByTestId('monthly-filter-status').selectOption('');
    await row(page, 'Daniel Reyes').getByTestId('monthly-supporter').click();
    await page.waitForURL(/\/console\/supporters\/[0-9a-f-]{36}$/);
    await page.getByTestId('timeline-list').waitFor();
    await expectAccessible(page, 'supporter page from a monthly gift');
    await page.goBack();
    await page.getByTestId('monthly-list').waitFor();
  });

  it('fits a 390 px phone, in Korean too', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ko-KR' });
    try {
      await phone.addCookies(await context.cookies());
      const p = await phone.newPage();
      p.setDefaultTimeout(15_000);
      await p.goto(`${passage.url}/console/giving/monthly`);
      await p.getByTestId('monthly-list').waitFor();
      expect(await p.getByTestId('giving-nav-monthly').textContent()).toBe('정기 후원');
      expect(await row(p, 'Daniel Reyes').getByTestId('monthly-status').textContent()).toBe('진행 중');
      expect(await hasHorizontalScroll(p)).toBe(false);
      await expectAccessible(p, 'monthly gifts at 390 px (ko)');
    } finally {
      await phone.close();
    }
  });

  it('says how a split gift’s refund falls on each fund, then writes exactly that', async () => {
    await page.getByTestId('giving-nav-gifts').click();
    await page.getByTestId('gift-row').filter({ hasText: '$8,000.00' }).getByTestId('gift-link').click();
    await page.getByTestId('gift-page').waitFor();
    expect((await page.getByTestId('gift-split').allTextContents()).sort()).toEqual([
      'Rescue fund — 100% to rescues: $6,000.00',
      'Where most needed: $2,000.00',
    ]);
    await expectAccessible(page, 'split gift');

    await page.getByTestId('refund-amount').fill('2,000');
    await page.getByTestId('refund-open').click();
    const dialog = page.getByRole('dialog', { name: 'Refund this gift?' });
    await dialog.waitFor();
    expect(await page.getByTestId('refund-effect').textContent()).toContain(
      'the refund is spread over them in proportion to what each still holds of it',
    );
    expect(await page.getByTestId('refund-effect').textContent()).toContain(
      'new opposite entries adding up to −$2,000.00, one in each of 2 funds',
    );
    expect((await page.getByTestId('refund-split-part').allTextContents()).sort()).toEqual([
      'Rescue fund — 100% to rescues: −$1,500.00',
      'Where most needed: −$500.00',
    ]);
    expect(await page.getByTestId('refund-effect').textContent()).toContain('keeping $6,000.00');
    await expectAccessible(page, 'split refund dialog');
    await page.getByTestId('refund-confirm-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ledger-entry"]').length === 4);
    const refunds = page.locator('[data-testid="ledger-entry"][data-kind="refund"]');
    expect((await refunds.getByTestId('ledger-entry-amount').allTextContents()).sort()).toEqual([
      '−$1,500.00',
      '−$500.00',
    ]);
    expect(await page.getByTestId('gift-refunded').textContent()).toBe('$2,000.00 refunded; $6,000.00 kept.');
  });

  it('gives a funded unit to a case for a campaign: open and past campaigns offered, not future ones', async () => {
    await page.getByTestId('giving-nav-allocations').click();
    // $4,500.00 left in the rescue fund: one whole US$2,500 unit.
    expect(await page.getByTestId('allocate-available').textContent()).toBe('1 funded unit to give');
    const select = page.getByTestId('allocate-campaign');
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="allocate-campaign"]') as HTMLSelectElement | null)?.options
          .length === 3,
    );
    expect(await select.locator('option').allTextContents()).toEqual([
      'No campaign',
      'The Hundred',
      'Winter appeal (ended)',
    ]);
    await expectAccessible(page, 'units to cases, with campaigns');
    await page.getByTestId('allocate-code').fill(caseCode);
    await select.selectOption('the-hundred');
    await page.getByTestId('allocate-submit').click();
    const given = page.getByTestId('allocation-row').filter({ hasText: caseCode });
    await given.waitFor();
    expect(await given.getByTestId('allocation-campaign').textContent()).toBe('The Hundred');
    expect(await page.getByTestId('allocate-available').textContent()).toBe('0 funded units to give');
    await expectAccessible(page, 'units to cases, given for a campaign');
    expect(consoleErrors).toEqual([]);
  });

  it('shows the administrator the monthly gifts with no button that would change them', async () => {
    const admin = team.admin;
    await admin.goto(`${passage.url}/console/giving/monthly`);
    await admin.getByTestId('monthly-list').waitFor();
    expect(await admin.getByTestId('monthly-row').count()).toBe(3);
    expect(await row(admin, 'Daniel Reyes').getByTestId('monthly-status').textContent()).toBe('Active');
    expect(await admin.getByTestId('monthly-pause').count()).toBe(0);
    expect(await admin.getByTestId('monthly-cancel').count()).toBe(0);
    expect(await admin.getByRole('columnheader', { name: 'Change' }).count()).toBe(0);
    await expectAccessible(admin, 'monthly gifts, administrator');
  });
});
