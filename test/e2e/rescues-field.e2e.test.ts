import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  launchBrowser,
  pageApi,
  type RunningPassage,
  startPassage,
} from '../harness/browser';
import { expectOk, type RescueTeam, setUpRescueTeam } from './rescues-setup';

const answers = {
  travellingWithFamily: 'yes',
  reunifyingWithFamily: 'no',
  traffickedInChina: 'declined',
  yearsInChina: 6,
  healthNeeds: 'no',
} as const;

describe('rescues: a field partner confirms a pick-up from a phone; the case arrives and is handed over', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let team: RescueTeam;
  let coordinator: Page;
  let phone: Page;
  let code = '';
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    team = await setUpRescueTeam(browser, passage, consoleErrors, { width: 360, height: 740 });
    coordinator = team.coordinator.page;
    phone = team.partner.page;

    // The coordinator opens a case on the template and gives its first leg to the partner.
    const opened = await pageApi<{ code: string }>(coordinator, 'POST', '/api/rescues', {
      compartmentId: team.compartmentId,
      routeTemplateId: team.templateId,
      routeStart: new Date().toISOString(),
      travellers: [
        { category: 'adult', sex: 'female', ageBand: '30_44', ...answers },
        { category: 'minor', sex: 'female', ageBand: '13_17', ...answers },
      ],
    });
    expectOk('open case', opened);
    code = opened.body.code;
    const rescue = await pageApi<{ legs: { id: string; position: number }[] }>(
      coordinator,
      'GET',
      `/api/rescues/${code}`,
    );
    const first = rescue.body.legs.find((l) => l.position === 1);
    expectOk(
      'assign partner',
      await pageApi(coordinator, 'PATCH', `/api/rescues/${code}/legs/${first?.id}`, {
        fieldPartnerId: team.partner.id,
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await team?.adminContext.close();
    await team?.coordinator.context.close();
    await team?.partner.context.close();
    await browser?.close();
    await passage?.stop();
  });

  it('the partner sees only their leg, by code, on a 360 px phone', async () => {
    await phone.goto(`${passage.url}/field`);
    await phone.getByRole('heading', { level: 1, name: 'My legs' }).waitFor();
    const leg = phone.getByTestId('field-leg');
    await leg.waitFor();
    expect(await leg.count()).toBe(1);
    expect(await leg.getAttribute('data-code')).toBe(code);
    expect(await leg.getByRole('heading', { level: 2 }).textContent()).toBe(`${code} · leg 1`);
    expect(await leg.textContent()).toContain('Yanji → Shenyang');
    expect(await leg.textContent()).toContain('2 people');
    expect(await hasHorizontalScroll(phone)).toBe(false);
    await expectAccessible(phone, 'field: my legs');
    // The legs of other partners (here: the unassigned legs 2 and 3) are not there.
    const api = await pageApi<{ legs: unknown[] }>(phone, 'GET', '/api/field/legs');
    expect(api.body.legs).toHaveLength(1);
  });

  it('confirms the pick-up with a big button and sees it sent', async () => {
    const leg = phone.getByTestId('field-leg');
    const button = leg.getByTestId('field-pick_up');
    const box = await button.boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect(box?.width).toBeGreaterThan(300);
    await leg.getByTestId('field-note').fill('Picked up at the agreed place.');
    await button.click();
    await leg.getByTestId('field-send-state').and(phone.locator('[data-state="sent"]')).waitFor();
    expect(await leg.getByTestId('field-send-state').textContent()).toContain('Confirm pick-up: Sent');
    // The leg is now under way: the next report is the hand-off.
    await phone.locator('[data-testid="field-leg"][data-status="under_way"]').waitFor();
    await leg.getByTestId('field-hand_off').waitFor();
    expect(await leg.getByTestId('field-note').inputValue()).toBe('');
    expect(await hasHorizontalScroll(phone)).toBe(false);
    await expectAccessible(phone, 'field: pick-up sent');
    await phone.screenshot({ path: 'test-results/rescues-field-360.png', fullPage: true });
  });

  it('shows a failed send plainly and sends it again when asked', async () => {
    const leg = phone.getByTestId('field-leg');
    await phone.route('**/api/field/legs/*/report', (route) => route.abort('internetdisconnected'));
    await leg.getByTestId('field-check_in').click();
    await leg.locator('[data-state="failed"]').waitFor();
    expect(await leg.getByTestId('field-send-state').textContent()).toContain('Check in: Not sent');
    await expectAccessible(phone, 'field: check-in not sent');
    await phone.unroute('**/api/field/legs/*/report');
    await leg.getByTestId('field-retry').click();
    await leg.locator('[data-state="sent"]').waitFor();
    expect(await leg.getByTestId('field-send-state').textContent()).toContain('Check in: Sent');
  });

  it('the coordinator sees the leg under way and the case on route', async () => {
    await coordinator.goto(`${passage.url}/console/rescues?case=${code}`);
    await coordinator.getByTestId('case-page').waitFor();
    const leg1 = coordinator.locator('[data-testid="leg-row"][data-leg="1"]');
    expect(await leg1.getByTestId('leg-status').textContent()).toBe('Under way');
    expect(await leg1.textContent()).toContain('Check-in due');
    expect(await coordinator.getByTestId('case-status').first().textContent()).toBe('On route');
    expect(await coordinator.getByTestId('case-timeline').textContent()).toContain('In hiding → On route');
    await expectAccessible(coordinator, 'case on route');
  });

  it('moves the case to arrived through the statuses, asking where it arrived', async () => {
    for (const [to, label] of [
      ['in_safe_country', 'In a safe country'],
      ['in_processing', 'In processing'],
    ] as const) {
      await coordinator.getByTestId('status-to').selectOption(to);
      await coordinator.getByTestId('status-submit').click();
      await coordinator.getByTestId('case-status').first().filter({ hasText: label }).waitFor();
    }
    await coordinator.getByTestId('status-to').selectOption('arrived');
    await coordinator.getByTestId('status-destination').waitFor();
    await coordinator.getByTestId('status-submit').click();
    await coordinator.getByTestId('case-status-panel').getByText('Required').waitFor();
    await expectAccessible(coordinator, 'arrival asks for the destination');
    await coordinator.getByTestId('status-destination').selectOption('south_korea');
    await coordinator.getByTestId('status-submit').click();
    await coordinator.getByTestId('case-status').first().filter({ hasText: 'Arrived' }).waitFor();
    await coordinator.getByText('Destination: South Korea').waitFor();
  });

  it('hands the arrived case over and shows the client codes', async () => {
    await coordinator.getByTestId('handover-open').click();
    await coordinator.getByRole('dialog', { name: `Hand ${code} over?` }).waitFor();
    // Scan once the modal has faded in (mid-transition its text is still pale).
    await coordinator.waitForFunction(() =>
      [...document.querySelectorAll('.mantine-Modal-content')].every(
        (el) => getComputedStyle(el).opacity === '1',
      ),
    );
    await expectAccessible(coordinator, 'handover confirmation');
    await coordinator.getByTestId('handover-submit').click();
    await coordinator.getByTestId('client-codes').waitFor();
    const codes = await coordinator.getByTestId('client-code').allTextContents();
    expect(codes).toHaveLength(2);
    for (const c of codes) expect(c).toMatch(/^CL-[0-9A-F]{10}$/);
    await coordinator.getByTestId('case-status').first().filter({ hasText: 'Handed over' }).waitFor();
    expect(await coordinator.getByTestId('retention-text').textContent()).toMatch(
      /Identities are shredded on .+ \(90 days left\)\./,
    );
    await expectAccessible(coordinator, 'handed over');
    await coordinator.screenshot({ path: 'test-results/rescues-case-handed-over.png', fullPage: true });
  });

  it('ran without a console error or CSP refusal', () => {
    // The aborted report is the one failure this journey causes on purpose.
    expect(consoleErrors.filter((e) => !/status of (400|401|403)|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual(
      [],
    );
  });
});
