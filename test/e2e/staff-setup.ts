import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../harness/app';
import {
  collectConsoleErrors,
  invitationLinkFor,
  pageApi,
  type RunningPassage,
  type StaffAccount,
  setUpAdministrator,
} from '../harness/browser';

/*
 * Staff set up the way a real installation gets them, shared by the journeys that need more than the first
 * administrator (the giving and supporters journeys, and rescues-setup.ts): the administrator invites a
 * member by email, the member accepts in a fresh browser context and enrols an authenticator app. All of it
 * goes through the same API the web uses; the journeys then drive the pages they are about.
 */

/** The installation's first administrator in every staff journey. */
export const ADMIN: StaffAccount = {
  name: 'Ha-eun Park',
  email: 'ha-eun.park@example.org',
  password: 'correct horse battery staple',
};

export function expectOk(step: string, r: { status: number; body: unknown }): void {
  if (r.status >= 300) throw new Error(`${step}: ${r.status} ${JSON.stringify(r.body)}`);
}

export interface EnrolledMember {
  account: StaffAccount;
  context: BrowserContext;
  page: Page;
}

/**
 * `admin` invites `account` with `role`; the member accepts in a new context (English, `viewport` when
 * given) and enrols an authenticator app, whose secret is kept in `account.totpSecret` for later codes.
 * The member's page stays signed in; its console errors go to `consoleErrors` when given.
 */
export async function inviteAndEnrol(
  browser: Browser,
  passage: RunningPassage,
  admin: Page,
  account: StaffAccount,
  role: string,
  options: { viewport?: { width: number; height: number }; consoleErrors?: string[] } = {},
): Promise<EnrolledMember> {
  expectOk(
    `invite ${role}`,
    await pageApi(admin, 'POST', '/api/admin/invitations', {
      email: account.email,
      name: account.name,
      role,
    }),
  );
  // With SMTP the invitation is delivered (read as the invitee gets it); without, its sender reveals it.
  const link = passage.mailbox
    ? await passage.mailbox.linkTo(account.email, /https?:\/\/\S+\/invite#\S+/)
    : await invitationLinkFor(admin, account.email);
  const token = decodeURIComponent(new URL(link).hash.slice(1));
  const context = await browser.newContext({
    ...(options.viewport ? { viewport: options.viewport } : {}),
    locale: 'en-US',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  if (options.consoleErrors) collectConsoleErrors(page, options.consoleErrors);
  await page.goto(passage.url);
  expectOk(
    'accept',
    await pageApi(page, 'POST', '/api/invitations/accept', { token, password: account.password }),
  );
  const enabled = await pageApi<{ totpURI: string }>(page, 'POST', '/api/auth/two-factor/enable', {
    password: account.password,
  });
  expectOk('two-factor/enable', enabled);
  account.totpSecret = new URL(enabled.body.totpURI).searchParams.get('secret') ?? '';
  expectOk(
    'verify-totp',
    await pageApi(page, 'POST', '/api/auth/two-factor/verify-totp', { code: totpCode(account.totpSecret) }),
  );
  return { account, context, page };
}

export interface DevelopmentTeam {
  /** The administrator's context; its one page is signed in as ADMIN. */
  adminContext: BrowserContext;
  admin: Page;
  /** The development officer's context and page (desktop width), signed in with their code. */
  context: BrowserContext;
  page: Page;
}

/**
 * A fresh installation's administrator (ADMIN) sets Passage up and invites `officer` with the `development`
 * role; the officer accepts and enrols an authenticator app on a desktop-width page whose console errors go
 * to `consoleErrors`.
 */
export async function setUpDevelopmentOfficer(
  browser: Browser,
  passage: RunningPassage,
  officer: StaffAccount,
  consoleErrors: string[],
): Promise<DevelopmentTeam> {
  const adminContext = await browser.newContext({ locale: 'en-US' });
  const admin = await adminContext.newPage();
  admin.setDefaultTimeout(15_000);
  await setUpAdministrator(admin, passage, ADMIN, totpCode);
  const { context, page } = await inviteAndEnrol(browser, passage, admin, officer, 'development', {
    viewport: { width: 1280, height: 900 },
    consoleErrors,
  });
  return { adminContext, admin, context, page };
}

/** Signs `account` in through the sign-in form and its code step, and waits for the console. */
export async function signInWithCode(
  page: Page,
  passage: RunningPassage,
  account: StaffAccount,
): Promise<void> {
  await page.goto(`${passage.url}/sign-in`);
  await page.getByRole('textbox', { name: 'Email' }).fill(account.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Enter your code' }).waitFor();
  await page.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(account.totpSecret ?? ''));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/console\//);
}
