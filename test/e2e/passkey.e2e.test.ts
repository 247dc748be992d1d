import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../harness/app';
import {
  chooseFromMenu,
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
const LEAD = { name: 'Ji-woo Han', email: 'ji-woo.han@example.org', password: 'seven herons cross the bay' };

/** A platform authenticator with user verification, as on a laptop with a fingerprint reader. */
async function addVirtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

describe('passkey: a security lead enrols a passkey instead of an app and signs in with it', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let context: BrowserContext;
  let page: Page;
  let authenticator: Awaited<ReturnType<typeof addVirtualAuthenticator>>;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    // The passkey's relying party is the host name of PUBLIC_URL: the page must be on the same one.
    expect(new URL(passage.url).hostname).toBe('localhost');
    adminContext = await browser.newContext({ locale: 'en-US' });
    admin = await adminContext.newPage();
    admin.setDefaultTimeout(15_000);
    await setUpAdministrator(admin, passage, ADMIN, totpCode);
    const invited = await pageApi(admin, 'POST', '/api/admin/invitations', {
      email: LEAD.email,
      name: LEAD.name,
      role: 'security_lead',
    });
    expect(invited.status).toBe(201);
    const link = await invitationLinkFor(admin, LEAD.email);

    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    collectConsoleErrors(page, consoleErrors);
    authenticator = await addVirtualAuthenticator(context, page);
    await page.goto(link);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(LEAD.password);
    await page.getByTestId('invite-submit').click();
    await page.getByRole('heading', { level: 1, name: 'Protect your account' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('registers a passkey from the enrolment screen', async () => {
    await page
      .getByTestId('enrol-passkey-option')
      .getByRole('textbox', { name: 'Name of this passkey' })
      .fill('Work laptop');
    await page.getByTestId('enrol-passkey').click();
    await page.getByText('Your passkey is registered').waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);
    await expectAccessible(page, 'enrol: passkey registered');
    await page.getByTestId('enrol-passkey-finish').click();
    await page.waitForURL(/\/console\/people$/);
    const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
    expect(session.user).toMatchObject({ email: LEAD.email, role: 'security_lead', secondFactor: true });
  });

  it('lists the passkey on the Security page', async () => {
    await page.goto(`${passage.url}/console/security`);
    const row = page.getByTestId('passkey-row');
    await row.waitFor();
    expect(await row.textContent()).toContain('Work laptop');
    expect(await page.getByTestId('totp-status').textContent()).toBe('Off');
  });

  it('signs out; the password alone no longer signs in', async () => {
    await chooseFromMenu(page, 'account-menu', 'Sign out');
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(`${passage.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill(LEAD.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(LEAD.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('The email or password is not correct.').waitFor();
  });

  it('signs in with the passkey', async () => {
    await page.goto(`${passage.url}/sign-in?next=%2Fconsole%2Fsecurity`);
    await expectAccessible(page, 'sign-in with passkey offered');
    await page.getByTestId('sign-in-passkey').click();
    await page.waitForURL(/\/console\/security$/);
    const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
    expect(session.user).toMatchObject({ email: LEAD.email, secondFactor: true });
    // A passkey sign-in counts as a fresh confirmation (step-up) for five minutes.
    expect(session.user.stepUpAt).not.toBeNull();
  });

  it('confirms it is them with the passkey in the step-up dialog, leaving one session', async () => {
    const before = await pageApi<{ sessions: unknown[]; stepUpAt: string }>(page, 'GET', '/api/me/security');
    await page.getByTestId('step-up-open').click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor();
    // No authenticator app on this account: the passkey is the only way offered.
    expect(await dialog.getByRole('textbox', { name: '6-digit code' }).count()).toBe(0);
    await expectAccessible(page, 'step-up dialog');
    await page.getByTestId('step-up-passkey').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('step-up-status').filter({ hasText: 'Open until' }).waitFor();
    const after = await pageApi<{ sessions: unknown[]; stepUpAt: string }>(page, 'GET', '/api/me/security');
    expect(after.status).toBe(200);
    // The passkey made a fresh session and the one it replaced was signed out.
    expect(after.body.sessions).toHaveLength(before.body.sessions.length);
    expect(new Date(after.body.stepUpAt).getTime()).toBeGreaterThan(new Date(before.body.stepUpAt).getTime());
  });

  it('refuses, in words, a second passkey from the same device', async () => {
    await page.getByTestId('passkey-name').fill('Spare key');
    await page.getByTestId('add-passkey').click();
    await page.getByText('This device already holds a passkey for your account').waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);
    expect(await page.getByTestId('passkey-row').count()).toBe(1);
    await expectAccessible(page, 'security: passkey already registered');
  });

  it('ran without a console error or CSP refusal', () => {
    const unexpected = consoleErrors.filter((e) => !/status of (401)/.test(e));
    expect(unexpected).toEqual([]);
  });
});
