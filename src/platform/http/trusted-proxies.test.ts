import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';

/*
 * Sign-in lockouts and every rate limit count by the client's address. Whoever may set that address through
 * X-Forwarded-For can rotate it past them (password spraying, card testing), so only a configured proxy may.
 * The per-address ceiling's remaining count shows which address a request was counted under.
 */
const production = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://passage.example.org',
  PASSAGE_KEK: crypto.randomBytes(32).toString('base64'),
  BETTER_AUTH_SECRET: crypto.randomBytes(48).toString('base64'),
};

async function remainingAfter(t: TestApp, forwardedFor: string, remoteAddress = '127.0.0.1') {
  const r = await t.app.inject({
    method: 'GET',
    url: '/api/setup',
    remoteAddress,
    headers: { 'x-forwarded-for': forwardedFor },
  });
  return Number(r.headers['x-ratelimit-remaining']);
}

describeEachDatabase('X-Forwarded-For', (getDb) => {
  let untrusting: TestApp;
  let behindProxy: TestApp;
  beforeAll(async () => {
    untrusting = await startTestApp(getDb(), production);
    behindProxy = await startTestApp(getDb(), { ...production, TRUSTED_PROXIES: '10.9.0.0/16' });
  });
  afterAll(async () => {
    await untrusting?.close();
    await behindProxy?.close();
  });

  it('is ignored in production unless TRUSTED_PROXIES names the proxy: rotating it counts as one client', async () => {
    const first = await remainingAfter(untrusting, '203.0.113.1');
    const second = await remainingAfter(untrusting, '203.0.113.2');
    const third = await remainingAfter(untrusting, '198.51.100.7');
    expect([second, third]).toEqual([first - 1, first - 2]);
  });

  it('is believed from a configured proxy only, so each client behind it is counted as itself', async () => {
    const a = await remainingAfter(behindProxy, '203.0.113.10', '10.9.1.1');
    const b = await remainingAfter(behindProxy, '203.0.113.11', '10.9.1.1');
    expect(b).toBe(a);
    // The same header from an address outside the proxies' range is the client's own word: not believed.
    const direct1 = await remainingAfter(behindProxy, '203.0.113.12', '192.0.2.50');
    const direct2 = await remainingAfter(behindProxy, '203.0.113.13', '192.0.2.50');
    expect(direct2).toBe(direct1 - 1);
  });
});
