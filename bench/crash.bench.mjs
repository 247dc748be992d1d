// Crash test: nothing acknowledged is lost, nothing is settled twice, when Passage is killed (SIGKILL) at
// random moments under load and when its PostgreSQL server is stopped and started under load.
//
// Donors give through the real path, as bench/gifts.bench.mjs does: POST /api/giving/donations with the
// Stripe provider (Checkout Sessions created on "Stripe", a stand-in HTTP server in this process:
// STRIPE_API_BASE, nothing beyond loopback), then the payment processor POSTs the signed
// `checkout.session.completed` event to /api/giving/webhooks/stripe. The processor here behaves as Stripe
// does: every event is re-sent until it is answered 2xx (backing off between attempts, signed afresh each
// time), and some events are sent again after they were acknowledged (Stripe delivers at least once).
// Passage runs in production mode behind the bench as its trusted proxy (TRUSTED_PROXIES=loopback), with its
// background jobs on, against a durable PostgreSQL 15 cluster of its own (fsync on).
//
// Phase 1: CRASH_KILLS times (default 20), after a random 0.5–2.5 s of load, `kill -9` the Passage process
// and start it again on the same port and database. Phase 2: CRASH_PG_RESTARTS times (default 3),
// `pg_ctl stop -m fast` under load, check /readyz answers 503 while the server is down and the process stays
// up, then `pg_ctl start` and wait for /readyz 200 from the same process (it must reconnect by itself).
// Then every event is delivered, and the bench checks:
//   - every donation a donor got 201 for exists and is settled (0 acknowledged gifts lost);
//   - no gift has two settlements in the ledger (0 settled twice);
//   - `passage giving check` exits 0;
//   - the campaign's progress (GET /api/giving/campaigns/:code/progress) equals the ledger's sum and the sum
//     of the acknowledged gifts.
// Exit 0 when every check holds. `node bench/crash.bench.mjs` or `npm run bench -- crash`; CRASH_KILLS,
// CRASH_PG_RESTARTS and CRASH_DONORS make it smaller (src/modules/giving/crash.test.ts runs a short one).

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { register } from 'tsx/esm/api';
import { freePort, machine, ROOT, startPassage, stop } from './lib.mjs';

register();
const { startPostgresServer, withDatabase } = await import('../test/harness/postgres-server.ts');

const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const PG_RESTARTS = Number(process.env.CRASH_PG_RESTARTS ?? 3);
const DONORS = Number(process.env.CRASH_DONORS ?? 16);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PUBLIC_URL = 'https://passage-crash.invalid';
const WEBHOOK_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const CAMPAIGN = 'the-hundred-crash';
const AMOUNTS = [2_500, 5_000, 10_000, 25_000, 250_000];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...args) => console.error(`[crash ${new Date().toISOString().slice(11, 23)}]`, ...args);

// The server bundle, so each restart is quick (bin/passage.mjs falls back to the sources otherwise).
spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-server.mjs'), '--if-stale'], {
  stdio: 'inherit',
});

// ── PostgreSQL: a durable cluster of our own (this bench stops and starts it) ─────────────────────────────
const server = await startPostgresServer({ durable: true });
const dataDirPg = path.join(server.dir, 'data');
const pgOptions = [
  `-p ${server.port}`,
  `-k ${server.dir}`,
  '-c listen_addresses=127.0.0.1',
  '-c max_connections=300',
  '-c shared_buffers=64MB',
  "-c timezone='UTC'",
].join(' ');
function pgCtl(args) {
  const binary = path.join(PG_BIN, 'pg_ctl');
  const [file, argv] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  const r = spawnSync(file, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg_ctl ${args.at(-1)} failed: ${r.stdout}${r.stderr}`);
}
const pgStop = () => pgCtl(['-D', dataDirPg, '-m', 'fast', '-w', '-t', '30', 'stop']);
const pgStart = () =>
  pgCtl([
    '-D',
    dataDirPg,
    '-l',
    path.join(server.dir, 'server.log'),
    '-o',
    pgOptions,
    '-w',
    '-t',
    '30',
    'start',
  ]);
{
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database passage_crash');
  await admin.end();
}
const url = withDatabase(server.url, 'passage_crash');

// ── "Stripe": Checkout Sessions ─────────────────────────────────────────────────────────────────────────
const stripe = new Stripe('sk_test_crash');
const sessions = new Map();
const stripeServer = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => {
    body += d;
  });
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/checkout/sessions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `not in the stand-in: ${req.method} ${req.url}` } }));
      return;
    }
    const form = new URLSearchParams(body);
    const id = `cs_test_${crypto.randomBytes(12).toString('hex')}`;
    const session = {
      id,
      object: 'checkout.session',
      mode: 'payment',
      client_reference_id: form.get('client_reference_id'),
      metadata: { gift_id: form.get('metadata[gift_id]') },
      amount_total: Number(form.get('line_items[0][price_data][unit_amount]')),
      currency: form.get('line_items[0][price_data][currency]'),
      payment_status: 'unpaid',
      url: `https://checkout.stripe.com/c/pay/${id}`,
    };
    sessions.set(id, session);
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${id}` });
    res.end(JSON.stringify(session));
  });
});
const stripePort = await freePort();
await new Promise((resolve) => stripeServer.listen(stripePort, '127.0.0.1', resolve));

// ── Passage ──────────────────────────────────────────────────────────────────────────────────────────────
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-bench-crash-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  NODE_ENV: 'production',
  TRUSTED_PROXIES: 'loopback',
  PUBLIC_URL,
  BETTER_AUTH_SECRET: crypto.randomBytes(32).toString('hex'),
  DATABASE_URL: url,
  PASSAGE_KEK: crypto.randomBytes(32).toString('base64'),
  PASSAGE_JOBS: process.env.CRASH_JOBS ?? '1',
  STRIPE_SECRET_KEY: 'sk_test_crash',
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_API_BASE: `http://127.0.0.1:${stripePort}`,
};
let child = null;
let output = () => '';
const restartMs = [];
async function startApp() {
  const started = await startPassage({ dataDir, port, env });
  child = started.child;
  output = started.output;
  restartMs.push(started.readyMs);
}

async function query(text, params) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

// ── donors and the processor ─────────────────────────────────────────────────────────────────────────────
/** Donations answered 201: giftId → amount. These must all exist, settled, at the end. */
const acknowledged = new Map();
const counts = {
  donationAttempts: 0,
  donationFailures: 0,
  deliveries: 0,
  redeliveries: 0,
  duplicatesSent: 0,
};
const deliveries = [];
const failureStatuses = {};
let donorSeq = 0;
let loadOn = true;

/** Stripe's retries: the same event, re-signed, until a 2xx (compressed from hours to ~a second). */
async function deliver(payload) {
  for (let attempt = 0; ; attempt++) {
    counts.deliveries += 1;
    if (attempt > 0) counts.redeliveries += 1;
    try {
      const r = await fetch(`${base}/api/giving/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await r.text();
      if (r.status >= 200 && r.status < 300) return;
    } catch {
      // Connection refused or reset: Passage is down. Try again later, as Stripe does.
    }
    await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)) + Math.random() * 100);
  }
}

async function giveOnce() {
  donorSeq += 1;
  const n = donorSeq;
  const amountMinor = AMOUNTS[n % AMOUNTS.length];
  counts.donationAttempts += 1;
  let res;
  try {
    res = await fetch(`${base}/api/giving/donations`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: PUBLIC_URL,
        'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      },
      body: JSON.stringify({
        provider: 'stripe',
        amountMinor,
        currency: 'USD',
        campaign: CAMPAIGN,
        donor: {
          email: `donor${n}.${crypto.randomBytes(3).toString('hex')}@crash.example`,
          firstName: 'Crash',
          lastName: `Donor ${n}`,
        },
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    counts.donationFailures += 1;
    await sleep(50);
    return;
  }
  const text = await res.text().catch(() => '');
  if (res.status !== 201) {
    counts.donationFailures += 1;
    failureStatuses[res.status] = (failureStatuses[res.status] ?? 0) + 1;
    if (process.env.CRASH_DEBUG) log(`donation ${res.status}: ${text.slice(0, 200)}`);
    await sleep(50);
    return;
  }
  const { giftId, checkoutUrl } = JSON.parse(text);
  acknowledged.set(giftId, amountMinor);
  const session = sessions.get(checkoutUrl.split('/').pop());
  // The donor pays on Stripe's page a moment later; Stripe then sends the event.
  const payload = JSON.stringify({
    id: `evt_${crypto.randomBytes(12).toString('hex')}`,
    object: 'event',
    type: 'checkout.session.completed',
    data: {
      object: {
        ...session,
        payment_status: 'paid',
        payment_intent: `pi_${crypto.randomBytes(12).toString('hex')}`,
      },
    },
  });
  deliveries.push(
    (async () => {
      await sleep(Math.random() * 200);
      await deliver(payload);
      // At least once: some events arrive again after Passage acknowledged them.
      if (Math.random() < 0.15) {
        counts.duplicatesSent += 1;
        await sleep(Math.random() * 500);
        await deliver(payload);
      }
    })(),
  );
}

let donors = [];

async function readyz() {
  try {
    const r = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) });
    await r.text();
    return r.status;
  } catch {
    return 0;
  }
}

const misses = [];
const pgRestarts = [];
let exitCode = 1;
try {
  await startApp();
  const fundId = crypto.randomUUID();
  await query(
    `insert into funds (id, code, name, restricted) values ($1, 'rescue-fund', 'Rescue fund', true)`,
    [fundId],
  );
  await query(
    `insert into campaigns (id, code, name, goal_kind, currency, goal_units, unit_minor, fund_id, starts_at)
     values ($1, $2, 'The Hundred (crash)', 'units', 'USD', 1000000, 250000, $3, now() - interval '1 day')`,
    [crypto.randomUUID(), CAMPAIGN, fundId],
  );
  loadOn = true;
  donors = Array.from({ length: DONORS }, async () => {
    while (loadOn) await giveOnce();
  });

  // Phase 1: kill -9 at random moments.
  for (let i = 0; i < KILLS; i++) {
    await sleep(500 + Math.random() * 2000);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    log(`kill ${i + 1}/${KILLS}: ${acknowledged.size} gifts acknowledged so far`);
    await startApp();
  }

  // Phase 2: PostgreSQL stopped and started under load; the same Passage process must come back by itself.
  for (let i = 0; i < PG_RESTARTS; i++) {
    await sleep(500 + Math.random() * 1000);
    const pid = child.pid;
    pgStop();
    const downAt = performance.now();
    const whileDown = [];
    while (performance.now() - downAt < 2_000) {
      whileDown.push(await readyz());
      await sleep(200);
    }
    pgStart();
    const upAt = performance.now();
    let readyAfterMs = null;
    while (performance.now() - upAt < 30_000) {
      if ((await readyz()) === 200) {
        readyAfterMs = Math.round(performance.now() - upAt);
        break;
      }
      await sleep(100);
    }
    const sameProcess = child.pid === pid && child.exitCode === null;
    const answered503 = whileDown.length > 0 && whileDown.every((s) => s === 503);
    pgRestarts.push({ whileDown: [...new Set(whileDown)], readyAfterMs, sameProcess });
    log(
      `PostgreSQL restart ${i + 1}/${PG_RESTARTS}: /readyz while down ${[...new Set(whileDown)]}, 200 after ${readyAfterMs} ms, same process ${sameProcess}`,
    );
    if (!answered503)
      misses.push(
        `restart ${i + 1}: /readyz answered ${[...new Set(whileDown)]} while PostgreSQL was down (want 503)`,
      );
    if (readyAfterMs === null)
      misses.push(`restart ${i + 1}: /readyz not 200 within 30 s of PostgreSQL's start`);
    if (!sameProcess) misses.push(`restart ${i + 1}: the Passage process exited while PostgreSQL was down`);
    if (!sameProcess) {
      log(`Passage exited with ${child.exitCode ?? child.signalCode}:\n${output().slice(-2500)}`);
      await startApp();
    }
  }

  // Drain: no new donations; every event delivered.
  loadOn = false;
  await Promise.all(donors);
  const drained = await Promise.race([
    Promise.all(deliveries).then(() => true),
    sleep(120_000).then(() => false),
  ]);
  if (!drained) misses.push('events still unacknowledged 120 s after the load stopped');

  // ── the checks ──
  const ids = [...acknowledged.keys()];
  const found = await query(`select id, status from gifts where id = any($1)`, [ids]);
  const byId = new Map(found.map((r) => [r.id, r.status]));
  const lost = ids.filter((id) => !byId.has(id));
  const unsettled = ids.filter((id) => byId.has(id) && byId.get(id) !== 'settled');
  const twice = await query(
    `select gift_id, count(distinct group_id)::int as n from ledger_entries where kind = 'gift'
     group by gift_id having count(distinct group_id) > 1`,
  );
  const [ledger] = await query(
    `select count(*)::int as settled, coalesce(sum(g.amount_minor + g.fee_minor), 0)::bigint as gifts_total,
       (select coalesce(sum(e.amount_minor), 0)::bigint from ledger_entries e join campaigns c on c.id = e.campaign_id
         where c.code = $1) as ledger_total
     from gifts g join campaigns c on c.id = g.campaign_id where c.code = $1 and g.status = 'settled'`,
    [CAMPAIGN],
  );
  const expectedMinor = [...acknowledged.values()].reduce((a, b) => a + b, 0);
  const progress = await (await fetch(`${base}/api/giving/campaigns/${CAMPAIGN}/progress`)).json();
  const check = spawnSync(process.execPath, [path.join(ROOT, 'bin/passage.mjs'), 'giving', 'check'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PASSAGE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });

  // A donation refused while PostgreSQL was down must say so (503, try again), not 500.
  if (failureStatuses[500]) misses.push(`${failureStatuses[500]} donations answered 500`);
  if (lost.length) misses.push(`${lost.length} acknowledged gifts lost: ${lost.slice(0, 3).join(', ')}`);
  if (unsettled.length)
    misses.push(`${unsettled.length} acknowledged gifts never settled: ${unsettled.slice(0, 3).join(', ')}`);
  if (twice.length) misses.push(`${twice.length} gifts settled twice: ${JSON.stringify(twice.slice(0, 3))}`);
  if (check.status !== 0)
    misses.push(`passage giving check exited ${check.status}: ${(check.stdout + check.stderr).slice(-500)}`);
  if (ledger.settled !== acknowledged.size)
    misses.push(`${ledger.settled} settled gifts in the campaign, ${acknowledged.size} acknowledged`);
  if (Number(ledger.ledger_total) !== expectedMinor || Number(ledger.gifts_total) !== expectedMinor)
    misses.push(`ledger ${ledger.ledger_total}, gifts ${ledger.gifts_total}, acknowledged ${expectedMinor}`);
  if (progress.raisedMinor !== expectedMinor)
    misses.push(`campaign progress says ${progress.raisedMinor}, the ledger ${expectedMinor}`);

  const sortedRestarts = [...restartMs.slice(1)].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        machine: machine(),
        date: new Date().toISOString().slice(0, 10),
        loadAverage: os.loadavg()[0].toFixed(1),
        donors: DONORS,
        kills: KILLS,
        postgresRestarts: pgRestarts,
        restartToReadyMedianMs: Math.round(sortedRestarts[Math.floor(sortedRestarts.length / 2)] ?? 0),
        ...counts,
        donationFailureStatuses: failureStatuses,
        acknowledgedGifts: acknowledged.size,
        lost: lost.length,
        unsettled: unsettled.length,
        settledTwice: twice.length,
        givingCheck: check.status === 0 ? 'ok' : `exit ${check.status}`,
        campaignRaisedMinor: progress.raisedMinor,
        ledgerMinor: Number(ledger.ledger_total),
        acknowledgedMinor: expectedMinor,
      },
      null,
      2,
    ),
  );
  console.log(misses.length ? `MISSED: ${misses.join('; ')}` : 'nothing lost, nothing settled twice');
  exitCode = misses.length ? 1 : 0;
} catch (error) {
  console.error(error);
  console.error(output().slice(-3000));
} finally {
  loadOn = false;
  if (child && child.exitCode === null) await stop(child);
  stripeServer.close();
  await server.stop().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(exitCode);
}
