import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../harness/app';
import { pageApi, type RunningPassage, type StaffAccount, setUpAdministrator } from '../harness/browser';
import { ADMIN, expectOk, inviteAndEnrol } from './staff-setup';

export { ADMIN, expectOk };

/*
 * Shared by the rescues journeys (rescues-*.e2e.test.ts): an administrator, a rescue coordinator and a
 * field partner, both enrolled with an authenticator app and granted into one compartment, and a route
 * template. Everything goes through the same API the web uses; the journeys then use the browser.
 */

export const COORDINATOR: StaffAccount = {
  name: 'Seo-yeon Lim',
  email: 'seo-yeon.lim@example.org',
  password: 'a kettle sings at dawn in Busan',
};
export const PARTNER: StaffAccount = {
  name: 'Dong-hyun Kwon',
  email: 'dong-hyun.kwon@example.org',
  password: 'river stones under the night ferry',
};

/** Canary values in S4 fields: they must show only in the identities panel, and nowhere else. */
export const CANARY = {
  name1: 'CANARY-NAME-ALPHA Kim Sun-hee',
  region1: 'CANARY-REGION Yanji',
  name2: 'CANARY-NAME-BRAVO Kim Min-ho',
};

export interface Member {
  account: StaffAccount;
  context: BrowserContext;
  page: Page;
  id: string;
}

export interface RescueTeam {
  admin: Page;
  adminContext: BrowserContext;
  coordinator: Member;
  partner: Member;
  compartmentId: string;
  templateId: string;
}

export async function setUpRescueTeam(
  browser: Browser,
  passage: RunningPassage,
  consoleErrors: string[],
  partnerViewport = { width: 1280, height: 800 },
): Promise<RescueTeam> {
  const adminContext = await browser.newContext({ locale: 'en-US' });
  const admin = await adminContext.newPage();
  admin.setDefaultTimeout(15_000);
  await setUpAdministrator(admin, passage, ADMIN, totpCode);

  const coordinator = await inviteAndEnrol(browser, passage, admin, COORDINATOR, 'rescue_coordinator', {
    viewport: { width: 1280, height: 900 },
    consoleErrors,
  });
  const partner = await inviteAndEnrol(browser, passage, admin, PARTNER, 'field_partner', {
    viewport: partnerViewport,
    consoleErrors,
  });

  const staff = await pageApi<{ staff: { id: string; email: string }[] }>(admin, 'GET', '/api/admin/staff');
  expectOk('staff', staff);
  const idOf = (email: string) => {
    const id = staff.body.staff.find((s) => s.email === email)?.id;
    if (!id) throw new Error(`no staff member ${email}`);
    return id;
  };

  const compartment = await pageApi<{ id: string }>(admin, 'POST', '/api/admin/compartments', {
    code: 'RESCUE-NORTH',
    name: 'Northern route',
    purpose: 'Rescues over the northern border',
  });
  expectOk('compartment', compartment);
  for (const email of [COORDINATOR.email, PARTNER.email]) {
    expectOk(
      `grant ${email}`,
      await pageApi(admin, 'PUT', `/api/admin/compartments/${compartment.body.id}/members/${idOf(email)}`),
    );
  }

  // Opening cases (and so laying out route templates) is the coordinator's, not the administrator's.
  const template = await pageApi<{ id: string }>(coordinator.page, 'POST', '/api/rescues/route-templates', {
    name: 'Northern route, three legs',
    currency: 'USD',
    legs: [
      { kind: 'hiding_to_transit', from: 'Yanji', to: 'Shenyang', days: 2, budgetMinor: 40_000 },
      { kind: 'transit', from: 'Shenyang', to: 'Kunming', days: 4, budgetMinor: 60_000 },
      { kind: 'border_crossing', from: 'Kunming', to: 'Vientiane', days: 3, budgetMinor: 90_000 },
    ],
  });
  expectOk('route template', template);

  return {
    admin,
    adminContext,
    coordinator: { ...coordinator, id: idOf(COORDINATOR.email) },
    partner: { ...partner, id: idOf(PARTNER.email) },
    compartmentId: compartment.body.id,
    templateId: template.body.id,
  };
}

/** Confirms it is you in the console's step-up dialog with the password and a fresh code. */
export async function stepUpInDialog(page: Page, account: StaffAccount): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await dialog.waitFor();
  await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill(account.password);
  await dialog.getByRole('textbox', { name: '6-digit code' }).fill(totpCode(account.totpSecret ?? ''));
  await page.getByTestId('step-up-submit').click();
  await dialog.waitFor({ state: 'detached' });
}

/** Everything this origin keeps in the browser's storage, as one string. */
export async function browserStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const dbs = 'databases' in indexedDB ? await indexedDB.databases() : [];
    return JSON.stringify({
      local: { ...localStorage },
      session: { ...sessionStorage },
      indexedDB: dbs.map((d) => d.name),
    });
  });
}
