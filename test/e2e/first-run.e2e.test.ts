import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../harness/app';
import {
  chooseFromMenu,
  ensureWebBuild,
  expectAccessible,
  hasHorizontalScroll,
  launchBrowser,
  type RunningPassage,
  startPassage,
} from '../harness/browser';

const ADMIN = {
  name: 'Ha-eun Park',
  email: 'ha-eun.park@example.org',
  password: 'correct horse battery staple',
};

describe('first run: a newcomer sets Passage up', () => {
  let passage: RunningPassage;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  let totpSecret = '';

  beforeAll(async () => {
    ensureWebBuild();
    [passage, browser] = await Promise.all([startPassage(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // A CSP refusal shows up here: the shell must run without a single one.
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await passage?.stop();
  });

  it('prints a setup link when no account exists', () => {
    expect(passage.setupLink, passage.output()).toMatch(/\/setup#[\w-]{10,}/);
  });

  it('opens the setup page from the link', async () => {
    await page.goto(passage.setupLink ?? '');
    await page.getByRole('heading', { level: 1, name: 'Set up Passage' }).waitFor();
    await expect(page.getByText('Between 12 and 128 characters').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'setup');
  });

  it('explains a password that is too short before asking the server', async () => {
    await page.getByRole('textbox', { name: 'Full name' }).fill(ADMIN.name);
    await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByText('Use at least 12 characters.').waitFor();
    await expectAccessible(page, 'setup with an error');
  });

  it('creates the administrator and lands in the console, signed in, asked for a second factor', async () => {
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL(/\/console/);
    await page.getByRole('heading', { level: 1, name: 'Protect your account' }).waitFor();
    await expect(page.getByTestId('account-menu').getAttribute('aria-label')).resolves.toContain(ADMIN.name);
    const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
    expect(session.user).toMatchObject({ email: ADMIN.email, role: 'administrator', secondFactor: false });
    await expectAccessible(page, 'console / enrol a second factor');
  });

  it('enrols an authenticator app and keeps the backup codes', async () => {
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
    await page.getByTestId('enrol-start').click();
    await page.getByTestId('totp-secret').waitFor();
    totpSecret = (await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}=*$/);
    await expectAccessible(page, 'enrol: add the key');
    await page.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(totpSecret));
    await page.getByTestId('enrol-verify').click();
    await page.getByTestId('backup-codes').waitFor();
    expect(await page.getByTestId('backup-codes').locator('li').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'enrol: backup codes');
    await page.getByRole('checkbox', { name: 'I have saved these codes somewhere safe' }).check();
    await page.getByTestId('enrol-finish').click();
    // An administrator lands on People & access, the first page of the console they may use.
    await page.waitForURL(/\/console\/people$/);
    await page.getByRole('heading', { level: 1, name: 'People & access' }).waitFor();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL(/\/console\/outbox$/);
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    await page.getByTestId('mail-mode').waitFor();
    expect(await page.getByTestId('mail-mode').getAttribute('data-mode')).toBe('outbox');
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link', { name: 'Outbox' }).count()).toBe(1);
    await expectAccessible(page, 'console / outbox');
  });

  it('filters the outbox by status', async () => {
    await page.getByLabel('Status').selectOption('failed');
    await page.waitForURL(/status=failed/);
    await page.getByTestId('outbox-empty').or(page.getByTestId('outbox-table')).first().waitFor();
    await expectAccessible(page, 'outbox filtered');
    await page.getByLabel('Status').selectOption('');
  });

  it('switches to Korean, and remembers only the language', async () => {
    await chooseFromMenu(page, 'language-switch', '한국어');
    await page.getByRole('heading', { level: 1, name: '보낸 편지함' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    const stored = await page.evaluate(() => ({ ...localStorage }));
    expect(stored).toEqual({ 'passage.language': 'ko' });
    await expectAccessible(page, 'console in Korean');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: '보낸 편지함' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
  });

  it('signs out and is back on the public home page', async () => {
    await chooseFromMenu(page, 'account-menu', '로그아웃');
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByTestId('header-sign-in').waitFor();
    expect(await page.getByRole('main').isVisible()).toBe(true);
    const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
    expect(session.user).toBeNull();
    await expectAccessible(page, 'home in Korean after sign-out');
    await chooseFromMenu(page, 'language-switch', 'English');
    await page.getByTestId('header-sign-in').filter({ hasText: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expectAccessible(page, 'home');
  });

  it('sends a signed-out visitor of the console to sign in, and back after signing in', async () => {
    await page.goto(`${passage.url}/console/outbox`);
    await page.waitForURL(/\/sign-in\?next=%2Fconsole%2Foutbox/);
    await expectAccessible(page, 'sign-in');
    await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('The email or password is not correct.').waitFor();
    await expectAccessible(page, 'sign-in failed');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Enter your code' }).waitFor();
    await expectAccessible(page, 'sign-in: second factor');
    await page.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/console\/outbox$/);
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
  });

  it('answers an unknown address with a 404 page', async () => {
    await page.goto(`${passage.url}/no-such-page`);
    await page.getByTestId('not-found').waitFor();
    await expectAccessible(page, '404');
  });

  it('fits a 360 px phone without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
    await phone.addCookies(await context.cookies());
    const p = await phone.newPage();
    try {
      await p.goto(passage.url);
      await p.getByRole('heading', { level: 1 }).waitFor();
      expect(await hasHorizontalScroll(p)).toBe(false);
      await expectAccessible(p, 'home at 360 px');

      await p.goto(`${passage.url}/console/outbox`);
      await p.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
      expect(await hasHorizontalScroll(p)).toBe(false);
      // The navigation hides behind the burger on phones and opens from it.
      const nav = p.getByRole('navigation', { name: 'Console' });
      await p.getByTestId('nav-burger').click();
      await nav.getByRole('link', { name: 'Outbox' }).waitFor({ state: 'visible' });
      expect(await hasHorizontalScroll(p)).toBe(false);
      await expectAccessible(p, 'console at 360 px, navigation open');
    } finally {
      await phone.close();
    }
  });

  it('ran without a console error or CSP refusal', () => {
    // A wrong password answers 401, which the browser logs as a failed resource; that one is expected.
    const unexpected = consoleErrors.filter((e) => !/status of 401/.test(e));
    expect(unexpected).toEqual([]);
  });
});
