import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../harness/app';
import {
  collectConsoleErrors,
  ensureWebBuild,
  expectAccessible,
  invitationLinkFor,
  launchBrowser,
  pageApi,
  type RunningPassage,
  setUpAdministrator,
  startPassage,
} from '../harness/browser';

const ADMIN = {
  name: 'Ha-eun Park',
  email: 'ha-eun.park@example.org',
  password: 'correct horse battery staple',
};
const PARTNER = {
  name: 'Min-jun Seo',
  email: 'min-jun.seo@example.org',
  password: 'lantern over the quiet river',
};

async function signInThroughTheForm(page: Page, url: string, secret: string) {
  await page.goto(`${url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email' }).fill(PARTNER.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PARTNER.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  // A field partner lands on the page of their legs, which links to their security page.
  await page.waitForURL(/\/field$/);
  await page.getByTestId('field-security').click();
  await page.waitForURL(/\/console\/security$/);
}

describe('burn switch: a field partner lost a phone', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let admin: Page;
  let laptopContext: BrowserContext;
  let phoneContext: BrowserContext;
  let laptop: Page;
  let phone: Page;
  let secret = '';
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    const adminContext = await browser.newContext({ locale: 'en-US' });
    admin = await adminContext.newPage();
    admin.setDefaultTimeout(15_000);
    await setUpAdministrator(admin, passage, ADMIN, totpCode);
    expect(
      (
        await pageApi(admin, 'POST', '/api/admin/invitations', {
          ...PARTNER,
          password: undefined,
          role: 'field_partner',
        })
      ).status,
    ).toBe(201);
    const token = decodeURIComponent(new URL(await invitationLinkFor(admin, PARTNER.email)).hash.slice(1));

    laptopContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    laptop = await laptopContext.newPage();
    laptop.setDefaultTimeout(15_000);
    collectConsoleErrors(laptop, consoleErrors);
    await laptop.goto(passage.url);
    expect(
      (await pageApi(laptop, 'POST', '/api/invitations/accept', { token, password: PARTNER.password }))
        .status,
    ).toBe(200);
    const enabled = await pageApi<{ totpURI: string }>(laptop, 'POST', '/api/auth/two-factor/enable', {
      password: PARTNER.password,
    });
    secret = new URL(enabled.body.totpURI).searchParams.get('secret') ?? '';
    expect(
      (await pageApi(laptop, 'POST', '/api/auth/two-factor/verify-totp', { code: totpCode(secret) })).status,
    ).toBe(200);

    phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
    phone = await phoneContext.newPage();
    phone.setDefaultTimeout(15_000);
    collectConsoleErrors(phone, consoleErrors);
    await signInThroughTheForm(phone, passage.url, secret);
  }, 120_000);

  afterAll(async () => {
    await admin?.context().close();
    await laptopContext?.close();
    await phoneContext?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('shows both sessions on the Security page, this one marked', async () => {
    await laptop.goto(`${passage.url}/console/security`);
    await laptop.getByTestId('sessions-table').waitFor();
    await expect.poll(() => laptop.getByTestId('session-row').count()).toBe(2);
    expect(await laptop.getByTestId('session-current').count()).toBe(1);
    expect(await laptop.locator('[data-testid="session-row"][data-current="true"]').count()).toBe(1);
  });

  it('explains the burn switch and asks for the typed word', async () => {
    const zone = laptop.getByTestId('security-burn');
    await zone.getByText('Your account is frozen and the security leads are alerted.').waitFor();
    await laptop.getByTestId('burn-open').click();
    const dialog = laptop.getByRole('dialog', { name: 'Burn your account?' });
    await dialog.waitFor();
    await expectAccessible(laptop, 'burn confirmation');
    expect(await laptop.getByTestId('burn-submit').isDisabled()).toBe(true);
    await laptop.getByRole('textbox', { name: 'Type BURN to confirm' }).fill('burn');
    expect(await laptop.getByTestId('burn-submit').isDisabled()).toBe(true);
    await laptop.getByRole('textbox', { name: 'Type BURN to confirm' }).fill('BURN');
    expect(await laptop.getByTestId('burn-submit').isDisabled()).toBe(false);
  });

  it('burns: this device lands on sign-in with an explanation', async () => {
    await laptop.getByTestId('burn-submit').click();
    await laptop.waitForURL(/\/sign-in\?burned=1$/);
    await laptop.getByTestId('burned-notice').waitFor();
    await expectAccessible(laptop, 'sign-in after burning');
    const session = await laptop.evaluate(() => fetch('/api/session').then((r) => r.json()));
    expect(session.user).toBeNull();
  });

  it('the other device is signed out at its next request', async () => {
    // The phone still shows the console until it next asks the server for something.
    await phone.getByTestId('nav-burger').click();
    await phone.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Security' }).click();
    await phone.reload();
    await phone.waitForURL(/\/sign-in\?next=/);
    await phone.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });

  it('signing in again fails, with the same message as any failure', async () => {
    await phone.getByRole('textbox', { name: 'Email' }).fill(PARTNER.email);
    await phone.getByRole('textbox', { name: 'Password', exact: true }).fill(PARTNER.password);
    await phone.getByRole('button', { name: 'Sign in', exact: true }).click();
    await phone.getByText('The email or password is not correct.').waitFor();
    await expectAccessible(phone, 'sign-in refused after burning');
  });

  it('the administrator sees the account frozen and sends a re-enrolment link', async () => {
    await admin.goto(`${passage.url}/console/people`);
    const row = admin.getByTestId('staff-row').filter({ hasText: PARTNER.email });
    await row.getByTestId('staff-frozen').waitFor();
    await row.getByTestId('staff-re-enrol').click();
    await admin.getByText('A re-enrolment link was emailed.').waitFor();
    await expectAccessible(admin, 'people: frozen account');
  });

  it('the re-enrolment link uses the invitation page with its own wording', async () => {
    const link = await invitationLinkFor(admin, PARTNER.email);
    await laptop.goto(link);
    await laptop.getByRole('heading', { level: 1, name: 'Set up your account again' }).waitFor();
    await laptop.getByText(`${PARTNER.name}, your account was frozen.`, { exact: false }).waitFor();
    await expectAccessible(laptop, 're-enrolment');
  });

  it('ran without a console error or CSP refusal', () => {
    const unexpected = consoleErrors.filter((e) => !/status of (401|403)/.test(e));
    expect(unexpected).toEqual([]);
  });
});
