import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../harness/app';
import {
  chooseFromMenu,
  collectConsoleErrors,
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  invitationLinkFor,
  launchBrowser,
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

describe('invitation: an administrator invites a field partner, who enrols an authenticator app', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let inviteeContext: BrowserContext;
  let invitee: Page;
  let link = '';
  let secret = '';
  let recoveryCodes: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    admin = await adminContext.newPage();
    admin.setDefaultTimeout(15_000);
    collectConsoleErrors(admin, consoleErrors);
    await setUpAdministrator(admin, passage, ADMIN, totpCode);
  }, 120_000);

  afterAll(async () => {
    await adminContext?.close();
    await inviteeContext?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('invites a field partner from People & access', async () => {
    await admin.goto(`${passage.url}/console/people`);
    await admin.getByRole('heading', { level: 1, name: 'People & access' }).waitFor();
    await admin.getByTestId('staff-table').waitFor();
    await expectAccessible(admin, 'people / staff');
    await admin.getByRole('tab', { name: 'Invitations' }).click();
    await admin.getByRole('textbox', { name: 'Full name' }).fill(PARTNER.name);
    await admin.getByRole('textbox', { name: 'Email' }).fill(PARTNER.email);
    await admin.getByTestId('invite-role').selectOption('field_partner');
    await admin.getByTestId('invite-submit').click();
    const row = admin.getByTestId('invitation-row').filter({ hasText: PARTNER.email });
    await row.waitFor();
    expect(await row.getByTestId('invitation-status').textContent()).toBe('Pending');
    await expectAccessible(admin, 'people / invitations');
    link = await invitationLinkFor(admin, PARTNER.email);
    expect(link).toMatch(new RegExp(`^${passage.url}/invite#[\\w-]{20,}`));
  });

  it('opens the link in a fresh browser, sees who and what role, and sets a password', async () => {
    inviteeContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    invitee = await inviteeContext.newPage();
    invitee.setDefaultTimeout(15_000);
    collectConsoleErrors(invitee, consoleErrors);
    await invitee.goto(link);
    await invitee.getByRole('heading', { level: 1, name: 'Join Passage' }).waitFor();
    await invitee.getByText(`Welcome, ${PARTNER.name}. You are invited as Field partner.`).waitFor();
    expect(await invitee.getByTestId('invite-email').inputValue()).toBe(PARTNER.email);
    await expectAccessible(invitee, 'invite');

    // The server's own password rules answer on the field: a common password with digits added.
    await invitee.getByRole('textbox', { name: 'Password', exact: true }).fill('password12345');
    await invitee.getByTestId('invite-submit').click();
    const fieldError = invitee.locator('[id$="-error"]').first();
    await fieldError.waitFor();
    expect((await fieldError.textContent())?.length).toBeGreaterThan(5);
    await expectAccessible(invitee, 'invite with a refused password');

    await invitee.getByRole('textbox', { name: 'Password', exact: true }).fill(PARTNER.password);
    await invitee.getByTestId('invite-submit').click();
    await invitee.waitForURL(/\/console$/);
    await invitee.getByRole('heading', { level: 1, name: 'Protect your account' }).waitFor();
    // The spent link is gone from the address bar.
    expect(invitee.url()).not.toContain('#');
  });

  it('enrols an authenticator app with the QR code or the manual key', async () => {
    await invitee.getByRole('textbox', { name: 'Password', exact: true }).fill(PARTNER.password);
    await invitee.getByTestId('enrol-start').click();
    await invitee.getByTestId('totp-qr').waitFor();
    expect(await invitee.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    secret = (await invitee.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    await expectAccessible(invitee, 'enrol: QR code and key');
    await invitee.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(secret));
    await invitee.getByTestId('enrol-verify').click();
    await invitee.getByTestId('recovery-codes').waitFor();
    recoveryCodes = await invitee.getByTestId('backup-codes').locator('li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await expectAccessible(invitee, 'enrol: recovery codes');
  });

  it('downloads the recovery codes as a text file and confirms before continuing', async () => {
    const [download] = await Promise.all([
      invitee.waitForEvent('download'),
      invitee.getByTestId('recovery-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('passage-recovery-codes.txt');
    const file = await download.path();
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    for (const code of recoveryCodes) expect(text).toContain(code);

    expect(await invitee.getByTestId('enrol-finish').isDisabled()).toBe(true);
    await invitee.getByRole('checkbox', { name: 'I have saved these codes somewhere safe' }).check();
    await invitee.getByTestId('enrol-finish').click();
    // A field partner lands on the page of their legs; their only console page is their own security.
    await invitee.waitForURL(/\/field$/);
    await invitee.getByTestId('field-none').waitFor();
    await expectAccessible(invitee, 'field partner page');
    await invitee.goto(`${passage.url}/console/security`);
    await invitee.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
    const nav = invitee.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Security']);
    await expectAccessible(invitee, 'security page');
  });

  it('signs out, then signs in with the password and a code', async () => {
    await chooseFromMenu(invitee, 'account-menu', 'Sign out');
    await invitee.waitForURL((url) => url.pathname === '/');
    await invitee.goto(`${passage.url}/sign-in`);
    await invitee.getByRole('textbox', { name: 'Email' }).fill(PARTNER.email);
    await invitee.getByRole('textbox', { name: 'Password', exact: true }).fill(PARTNER.password);
    await invitee.getByRole('button', { name: 'Sign in', exact: true }).click();
    await invitee.getByRole('heading', { level: 1, name: 'Enter your code' }).waitFor();
    await invitee.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(secret));
    await invitee.getByRole('button', { name: 'Verify' }).click();
    await invitee.waitForURL(/\/field$/);
    const session = await invitee.evaluate(() => fetch('/api/session').then((r) => r.json()));
    expect(session.user).toMatchObject({ email: PARTNER.email, role: 'field_partner', secondFactor: true });
  });

  it('signs in once more with a recovery code, which then no longer works', async () => {
    // A field partner signs out from the page of their legs.
    await expectAccessible(invitee, 'field partner page, signed in');
    await invitee.getByTestId('field-sign-out').click();
    await invitee.waitForURL((url) => url.pathname === '/');
    const signInWithRecovery = async (code: string) => {
      await invitee.goto(`${passage.url}/sign-in`);
      await invitee.getByRole('textbox', { name: 'Email' }).fill(PARTNER.email);
      await invitee.getByRole('textbox', { name: 'Password', exact: true }).fill(PARTNER.password);
      await invitee.getByRole('button', { name: 'Sign in', exact: true }).click();
      await invitee.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await invitee.getByRole('textbox', { name: 'Recovery code' }).fill(code);
      await invitee.getByRole('button', { name: 'Verify' }).click();
    };
    await signInWithRecovery(recoveryCodes[0] ?? '');
    await invitee.waitForURL(/\/field$/);
    await invitee.getByTestId('field-security').click();
    await invitee.waitForURL(/\/console\/security$/);
    await chooseFromMenu(invitee, 'account-menu', 'Sign out');
    await invitee.waitForURL((url) => url.pathname === '/');
    await signInWithRecovery(recoveryCodes[0] ?? '');
    await invitee.getByText('That code is not correct or has expired.').waitFor();
    await expectAccessible(invitee, 'sign-in: recovery code refused');
  });

  it('the administrator sees the invitation accepted and the partner in the staff list', async () => {
    await admin.goto(`${passage.url}/console/people?tab=invitations`);
    const row = admin.getByTestId('invitation-row').filter({ hasText: PARTNER.email });
    await row.getByTestId('invitation-status').filter({ hasText: 'Accepted' }).waitFor();
    await admin.getByRole('tab', { name: 'Staff' }).click();
    await admin.getByTestId('staff-row').filter({ hasText: PARTNER.email }).waitFor();
  });

  it('fits a 360 px phone: invitation screens and People & access', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
    await phone.addCookies(await adminContext.cookies());
    const p = await phone.newPage();
    try {
      await p.goto(`${passage.url}/invite#not-a-real-token-at-all`);
      await p.getByTestId('invite-invalid').waitFor();
      expect(await hasHorizontalScroll(p)).toBe(false);
      await expectAccessible(p, 'invalid invitation at 360 px');
      for (const tab of ['', '?tab=invitations', '?tab=compartments']) {
        await p.goto(`${passage.url}/console/people${tab}`);
        await p.getByRole('heading', { level: 1, name: 'People & access' }).waitFor();
        await p.getByRole('tabpanel').locator('table, form').first().waitFor();
        expect(await hasHorizontalScroll(p), `people${tab}`).toBe(false);
      }
      await p.goto(`${passage.url}/console/security`);
      await p.getByTestId('security-burn').waitFor();
      expect(await hasHorizontalScroll(p)).toBe(false);
      await expectAccessible(p, 'security at 360 px');
    } finally {
      await phone.close();
    }
  });

  it('ran without a console error or CSP refusal', () => {
    const unexpected = consoleErrors.filter((e) => !/status of (400|401|410)/.test(e));
    expect(unexpected).toEqual([]);
  });
});
