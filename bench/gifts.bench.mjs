// Settled gifts per second through the real HTTP and webhook path, on PostgreSQL, with 64 concurrent donors
// all giving to ONE campaign (the hottest rows: its fund's balance and the campaign's entries).
//
// Each simulated donor (a fresh person and address every gift) POSTs /api/giving/donations with the Stripe
// provider; Passage creates the pending gift and a Checkout Session on "Stripe", a stand-in HTTP server in
// this process (STRIPE_API_BASE: Stripe's network cannot be reached from here); then the donor's browser
// would pay on Stripe's page, and Stripe would POST the signed `checkout.session.completed` event to
// /api/giving/webhooks/stripe: this script sends that event, signed with the official package's test-header
// helper, which settles the gift (ledger entry, fund balance, receipt and its email in the outbox).
// A gift's latency is from the donation request to the webhook's answer.
//
// The ceiling, measured in the same run on the same server: pgbench's raw single-row INSERT rate with the
// same 64 clients. Targets: ≥ 300 gifts/s, ≥ 25% of the raw rate, p99 ≤ 250 ms, the campaign total exact.
// Passage runs in production mode (NODE_ENV=production: the sandbox is refused) behind the bench as its trusted
// proxy (TRUSTED_PROXIES=loopback), so each donor comes from an address of its own (X-Forwarded-For) as real
// donors do.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Stripe from 'stripe';
import { register } from 'tsx/esm/api';
import { freePort, machine, startPassage, stop } from './lib.mjs';

register();
const { startPostgresServer, withDatabase } = await import('../test/harness/postgres-server.ts');

const DONORS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const TARGET = { giftsPerSecond: 300, shareOfRaw: 0.25, p99Ms: 250 };
const PUBLIC_URL = 'https://passage-bench.invalid';
const WEBHOOK_SECRET = `whsec_${crypto.randomBytes(16).toString('hex')}`;
const CAMPAIGN = 'the-hundred-bench';
const AMOUNTS = [2_500, 5_000, 10_000, 25_000, 250_000];
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

// ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────────────────
let server = null;
let url = process.env.BENCH_DATABASE_URL;
if (!url) {
  // Durable, as in production: pgbench and Passage both pay for every commit's WAL flush.
  server = await startPostgresServer({ durable: process.env.BENCH_PG_DURABLE !== '0' });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database passage_gifts_bench');
  await admin.end();
  url = withDatabase(server.url, 'passage_gifts_bench');
}

/** pgbench: one-row INSERTs into an unindexed table, as many clients as donors, for SECONDS. */
function rawInsertRate() {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'passage-pgbench-')), 'insert.sql');
  fs.writeFileSync(script, 'insert into bench_raw_insert (v, at) values (:client_id, now());\n');
  const setup = new pg.Client({ connectionString: url });
  return setup
    .connect()
    .then(() => setup.query('create table if not exists bench_raw_insert (v int, at timestamptz)'))
    .then(() => setup.end())
    .then(() => {
      const u = new URL(url);
      const args = [
        '-n',
        '-c',
        String(DONORS),
        '-j',
        String(Math.min(DONORS, os.cpus().length)),
        '-T',
        String(SECONDS),
        '-f',
        script,
        '-h',
        u.hostname,
        '-p',
        u.port,
        '-U',
        decodeURIComponent(u.username || 'postgres'),
        u.pathname.slice(1),
      ];
      const run = spawnSync(path.join(PG_BIN, 'pgbench'), args, { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`pgbench failed:\n${run.stderr}`);
      const tps = /tps = ([0-9.]+)/.exec(run.stdout);
      if (!tps) throw new Error(`pgbench printed no tps:\n${run.stdout}`);
      return Number(tps[1]);
    });
}

// ── "Stripe": the Checkout Sessions endpoint only ──────────────────────────────────────────────────────
const stripe = new Stripe('sk_test_bench');
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
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-bench-gifts-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let child = null;
let passageOutput = () => '';

async function seedCampaign() {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const fundId = crypto.randomUUID();
    await client.query(
      `insert into funds (id, code, name, restricted) values ($1, 'rescue-fund', 'Rescue fund', true)
       on conflict (code) do nothing`,
      [fundId],
    );
    const { rows } = await client.query("select id from funds where code = 'rescue-fund'");
    await client.query(
      `insert into campaigns (id, code, name, goal_kind, currency, goal_units, unit_minor, fund_id, starts_at)
       values ($1, $2, 'The Hundred (bench)', 'units', 'USD', 1000000, 250000, $3, now() - interval '1 day')`,
      [crypto.randomUUID(), CAMPAIGN, rows[0].id],
    );
  } finally {
    await client.end();
  }
}

async function ledgerFigures() {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select count(*)::int as settled, coalesce(sum(g.amount_minor + g.fee_minor), 0)::bigint as total
       from gifts g join campaigns c on c.id = g.campaign_id where c.code = $1 and g.status = 'settled'`,
      [CAMPAIGN],
    );
    return { settled: rows[0].settled, totalMinor: Number(rows[0].total) };
  } finally {
    await client.end();
  }
}

// ── one donor's gift, end to end ──────────────────────────────────────────────────────────────────────
let donorSeq = 0;
function nextDonor() {
  donorSeq += 1;
  const n = donorSeq;
  return {
    ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    email: `donor${n}.${crypto.randomBytes(3).toString('hex')}@bench.example`,
    amountMinor: AMOUNTS[n % AMOUNTS.length],
  };
}

async function giveOnce() {
  const donor = nextDonor();
  const started = performance.now();
  const res = await fetch(`${base}/api/giving/donations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: PUBLIC_URL, 'x-forwarded-for': donor.ip },
    body: JSON.stringify({
      provider: 'stripe',
      amountMinor: donor.amountMinor,
      currency: 'USD',
      campaign: CAMPAIGN,
      donor: { email: donor.email, firstName: 'Bench', lastName: `Donor ${donorSeq}` },
    }),
  });
  if (res.status !== 201) throw new Error(`donation answered ${res.status}: ${await res.text()}`);
  const { giftId, checkoutUrl } = await res.json();
  const donated = performance.now();
  const sessionId = checkoutUrl.split('/').pop();
  const session = sessions.get(sessionId);
  sessions.delete(sessionId);
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
  const hook = await fetch(`${base}/api/giving/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
    },
    body: payload,
  });
  const outcome = hook.status === 200 ? (await hook.json()).outcome : `${hook.status} ${await hook.text()}`;
  if (outcome !== 'settled') throw new Error(`webhook for ${giftId} answered ${outcome}`);
  const done = performance.now();
  return {
    ms: done - started,
    donationMs: donated - started,
    webhookMs: done - donated,
    amountMinor: donor.amountMinor,
  };
}

/** DONORS loops giving until the deadline; gifts that finish after it are still counted in the total. */
async function load(seconds, record) {
  const deadline = performance.now() + seconds * 1000;
  const errors = [];
  await Promise.all(
    Array.from({ length: DONORS }, async () => {
      while (performance.now() < deadline) {
        try {
          record(await giveOnce());
        } catch (error) {
          errors.push(error.message);
          if (errors.length > 20) throw new Error(`too many errors:\n${errors.join('\n')}`);
        }
      }
    }),
  );
  return errors;
}

// ── CPU accounting: where a gift's CPU time goes (Linux /proc; clock ticks are 1/100 s) ──────────────────
const TICK_MS = 10;
function procStat(pid) {
  try {
    // Fields after the command name (which may hold spaces): state is [0], ppid [1], utime [11], stime [12],
    // cutime [13], cstime [14] (the last two: children that exited and were waited for).
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      own: Number(f[11]) + Number(f[12]),
      children: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return null;
  }
}
/** CPU ms of a process and its descendants, live or exited. */
function treeCpuMs(rootPid) {
  const all = fs
    .readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .map((d) => [Number(d), procStat(d)])
    .filter(([, st]) => st);
  const byParent = new Map();
  for (const [pid, st] of all) byParent.set(st.ppid, [...(byParent.get(st.ppid) ?? []), [pid, st]]);
  const root = procStat(rootPid);
  if (!root) return 0;
  let ticks = root.own + root.children;
  const walk = (pid) => {
    for (const [child, st] of byParent.get(pid) ?? []) {
      ticks += st.own + st.children;
      walk(child);
    }
  };
  walk(rootPid);
  return ticks * TICK_MS;
}
function postmasterPid() {
  if (!server) return null;
  try {
    return Number(fs.readFileSync(path.join(server.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}
function cpuSnapshot() {
  const pm = postmasterPid();
  const own = process.cpuUsage();
  return {
    passage: child ? treeCpuMs(child.pid) : 0,
    postgres: pm ? treeCpuMs(pm) : null,
    bench: (own.user + own.system) / 1000,
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

try {
  const rawTps = await rawInsertRate();
  const started = await startPassage({
    dataDir,
    port,
    env: {
      NODE_ENV: 'production',
      TRUSTED_PROXIES: 'loopback',
      PUBLIC_URL,
      BETTER_AUTH_SECRET: crypto.randomBytes(32).toString('hex'),
      DATABASE_URL: url,
      PASSAGE_KEK: crypto.randomBytes(32).toString('base64'),
      PASSAGE_JOBS: '0',
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: `http://127.0.0.1:${stripePort}`,
    },
    // e.g. BENCH_PASSAGE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to see where a gift's time goes.
    nodeArgs: (process.env.BENCH_PASSAGE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  child = started.child;
  passageOutput = started.output;
  await seedCampaign();

  let expectedMinor = 0;
  let warmGifts = 0;
  await load(WARMUP_SECONDS, (g) => {
    expectedMinor += g.amountMinor;
    warmGifts += 1;
  });
  const latencies = [];
  const donationMs = [];
  const webhookMs = [];
  const cpuBefore = cpuSnapshot();
  const t0 = performance.now();
  const errors = await load(SECONDS, (g) => {
    expectedMinor += g.amountMinor;
    latencies.push(g.ms);
    donationMs.push(g.donationMs);
    webhookMs.push(g.webhookMs);
  });
  const elapsed = (performance.now() - t0) / 1000;
  const cpuAfter = cpuSnapshot();
  const perGift = (k) =>
    cpuBefore[k] === null ? null : Number(((cpuAfter[k] - cpuBefore[k]) / latencies.length).toFixed(2));
  for (const xs of [latencies, donationMs, webhookMs]) xs.sort((a, b) => a - b);
  const giftsPerSecond = latencies.length / elapsed;

  const ledger = await ledgerFigures();
  const progress = await (await fetch(`${base}/api/giving/campaigns/${CAMPAIGN}/progress`)).json();
  const exact =
    ledger.settled === warmGifts + latencies.length &&
    ledger.totalMinor === expectedMinor &&
    progress.raisedMinor === expectedMinor;

  const result = {
    machine: machine(),
    date: new Date().toISOString().slice(0, 10),
    loadAverage: os.loadavg()[0].toFixed(1),
    donors: DONORS,
    seconds: Number(elapsed.toFixed(1)),
    settledGifts: latencies.length,
    giftsPerSecond: Math.round(giftsPerSecond),
    p50Ms: Math.round(percentile(latencies, 0.5)),
    p99Ms: Math.round(percentile(latencies, 0.99)),
    donationP50Ms: Math.round(percentile(donationMs, 0.5)),
    webhookP50Ms: Math.round(percentile(webhookMs, 0.5)),
    rawInsertsPerSecond: Math.round(rawTps),
    shareOfRaw: Number((giftsPerSecond / rawTps).toFixed(3)),
    cpuMsPerGift: { passage: perGift('passage'), postgres: perGift('postgres'), bench: perGift('bench') },
    cores: os.cpus().length,
    // What the machine's cores could settle if nothing else ran: cores × 1000 ms ÷ CPU ms per gift (all three).
    cpuCeilingGiftsPerSecond: Math.round(
      (os.cpus().length * 1000) /
        ['passage', 'postgres', 'bench'].reduce((sum, k) => sum + (perGift(k) ?? 0), 0),
    ),
    errors: errors.length,
    passageLogBytes: passageOutput().length,
    campaignRaisedMinor: progress.raisedMinor,
    expectedMinor,
    exact,
  };
  console.log(JSON.stringify(result, null, 2));
  const misses = [];
  if (result.giftsPerSecond < TARGET.giftsPerSecond) misses.push(`gifts/s ${result.giftsPerSecond} < 300`);
  if (result.shareOfRaw < TARGET.shareOfRaw) misses.push(`share of raw ${result.shareOfRaw} < 0.25`);
  if (result.p99Ms > TARGET.p99Ms) misses.push(`p99 ${result.p99Ms} ms > 250 ms`);
  if (!exact) misses.push('the campaign total is not exact');
  if (errors.length) misses.push(`${errors.length} errors: ${errors.slice(0, 3).join(' | ')}`);
  console.log(misses.length ? `MISSED: ${misses.join('; ')}` : 'all targets met');
  process.exitCode = misses.length ? 1 : 0;
} finally {
  if (child) await stop(child);
  stripeServer.close();
  if (server) await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
