import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { simpleParser } from 'mailparser';
import { type Browser, chromium, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Debian Chromium, with everything that would phone home switched off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds dist/web if it is missing or stale (the same check `npm start` makes). */
export function ensureWebBuild(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-web-build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPassage {
  /** Where the browser reaches it, e.g. http://localhost:43121 */
  url: string;
  /** The one-time setup link printed while no account exists, or null. */
  setupLink: string | null;
  dataDir: string;
  /** With `smtp: true`: the mail the process delivered. */
  mailbox?: Mailbox;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** SIGTERM, wait for a clean exit, remove the data folder. */
  stop(): Promise<void>;
}

export interface StartPassageOptions {
  env?: Record<string, string>;
  /** How long to wait for "Ready" (default 60 s). */
  timeoutMs?: number;
  /** Keep the data folder after stop (default: remove it). */
  keepData?: boolean;
  /**
   * Deliver mail over SMTP to a listener of the test's own (`RunningPassage.mailbox`), as a recipient gets it:
   * the outbox keeps one-time links only sealed, so a supporter's sign-in link is read here.
   */
  smtp?: boolean;
}

/** What the test's SMTP listener received, as recipients get it. */
export interface Mailbox {
  /** The first match of `pattern` in the newest mail to `to` that has one, waiting up to 15 s for it. */
  linkTo(to: string, pattern: RegExp): Promise<string>;
}

async function startMailbox(): Promise<{ url: string; mailbox: Mailbox; close(): Promise<void> }> {
  const received: { to: string[]; text: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((parsed) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), text: parsed.text ?? '' });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as net.AddressInfo;
  const mailbox: Mailbox = {
    async linkTo(to, pattern) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        for (const mail of [...received].reverse()) {
          const found = mail.to.includes(to) ? pattern.exec(mail.text)?.[0] : undefined;
          if (found) return found;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${pattern}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mailbox,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts a real `passage start` process on a fresh embedded database and a free port. */
export async function startPassage(options: StartPassageOptions = {}): Promise<RunningPassage> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-e2e-'));
  const port = await freePort();
  const smtp = options.smtp ? await startMailbox() : null;
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'passage.mjs'), 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PASSAGE_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://localhost:${port}`,
      LOG_LEVEL: 'warn',
      PASSAGE_JOBS: '0',
      PASSAGE_WEB_DEV: '0',
      SMTP_URL: smtp?.url ?? '',
      DATABASE_URL: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    }
    if (!options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    await smtp?.close();
  };

  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Passage did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const check = () => {
        if (/Ready in/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`Passage exited with code ${code} before it was ready:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const link = /(https?:\/\/\S+\/setup#\S+)/.exec(output);
  return {
    url: `http://localhost:${port}`,
    setupLink: link?.[1] ?? null,
    ...(smtp ? { mailbox: smtp.mailbox } : {}),
    dataDir,
    output: () => output,
    stop,
  };
}

/** Runs axe on the page as it is now and fails on serious or critical violations, listing each one. */
/** Waits until no CSS transition or animation runs: a modal fading in or out has passing colours. */
async function settle(page: Page): Promise<void> {
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, {
      timeout: 3000,
    })
    .catch(() => {});
}

async function seriousViolations(page: Page) {
  await settle(page);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function expectAccessible(page: Page, label = page.url()): Promise<void> {
  let bad = await seriousViolations(page);
  // Contrast read in the middle of a transition is not the page's: look once more when it has settled.
  if (bad.length > 0 && bad.every((v) => v.id === 'color-contrast')) {
    await page.waitForTimeout(400);
    bad = await seriousViolations(page);
  }
  if (bad.length === 0) return;
  const lines = bad.flatMap((v) => [
    `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes
      .slice(0, 5)
      .map((n) => `    at ${n.target.join(' ')}\n      ${n.failureSummary?.replaceAll('\n', '\n      ')}`),
    ...(v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : []),
  ]);
  throw new Error(`Accessibility violations on ${label}:\n${lines.join('\n')}`);
}

/** True when the document is wider than the viewport (a page that scrolls sideways on a phone). */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** Calls the API from inside the page, with its cookies; answers status and parsed body. */
export async function pageApi<T = unknown>(
  page: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    { method, url, body },
  );
}

export interface StaffAccount {
  name: string;
  email: string;
  password: string;
  /** Base32 secret of the authenticator app, once enrolled. */
  totpSecret?: string;
}

/**
 * The first administrator, created with the setup link and enrolled with an authenticator app through
 * the same endpoints the web uses, signed in on `page`. Answers the TOTP secret.
 */
export async function setUpAdministrator(
  page: Page,
  passage: RunningPassage,
  admin: StaffAccount,
  totp: (secret: string) => string,
): Promise<string> {
  if (!passage.setupLink) throw new Error(`no setup link:\n${passage.output()}`);
  const token = decodeURIComponent(new URL(passage.setupLink).hash.slice(1));
  await page.goto(passage.url);
  const expectOk = (step: string, r: { status: number; body: unknown }) => {
    if (r.status >= 300) throw new Error(`${step}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  expectOk(
    'setup',
    await pageApi(page, 'POST', '/api/setup', {
      token,
      name: admin.name,
      email: admin.email,
      password: admin.password,
    }),
  );
  expectOk(
    'sign-in',
    await pageApi(page, 'POST', '/api/auth/sign-in/email', { email: admin.email, password: admin.password }),
  );
  const enabled = await pageApi<{ totpURI: string }>(page, 'POST', '/api/auth/two-factor/enable', {
    password: admin.password,
  });
  expectOk('two-factor/enable', enabled);
  const secret = new URL(enabled.body.totpURI).searchParams.get('secret') ?? '';
  expectOk(
    'verify-totp',
    await pageApi(page, 'POST', '/api/auth/two-factor/verify-totp', { code: totp(secret) }),
  );
  return secret;
}

/**
 * The newest invitation (or re-enrolment) link mailed to `email`, as the administrator who sent it reveals it
 * from the outbox (no SMTP in a test: the outbox shows the mail without its link, and its sender alone may
 * reveal it, audited).
 */
export async function invitationLinkFor(page: Page, email: string): Promise<string> {
  const list = await pageApi<{ messages: { id: string; to: string }[] }>(page, 'GET', '/api/outbox?limit=50');
  const message = list.body.messages.find((m) => m.to === email);
  if (!message) throw new Error(`no mail to ${email}: ${JSON.stringify(list.body)}`);
  const full = await pageApi<{ text: string }>(page, 'POST', `/api/outbox/${message.id}/reveal`);
  const link = /(https?:\/\/\S+\/invite#\S+)/.exec(full.body.text)?.[1];
  if (!link) throw new Error(`no invitation link in:\n${JSON.stringify(full.body)}`);
  return link;
}

/** Opens a menu from its trigger, picks an item, and waits until the menu has gone. */
export async function chooseFromMenu(page: Page, triggerTestId: string, item: string): Promise<void> {
  await page.getByTestId(triggerTestId).click();
  await page.getByRole('menuitem', { name: item }).click();
  await page.getByRole('menu').waitFor({ state: 'detached' });
}

/** Collects console errors and uncaught exceptions of a page (a CSP refusal shows up here). */
export function collectConsoleErrors(page: Page, into: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
  page.on('pageerror', (e) => into.push(e.message));
}
