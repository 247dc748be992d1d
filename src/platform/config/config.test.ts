import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

function messageFor(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted a bad value');
}

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      MAIL_FROM: 'Passage <no-reply@localhost>',
      LOG_LEVEL: 'info',
      PASSAGE_JOBS: true,
      PASSAGE_WEB_DEV: false,
      publicUrl: 'http://localhost:3000',
      dataDir: path.resolve('./data'),
      database: { kind: 'pglite', dataDir: path.resolve('./data/pglite') },
    });
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.BETTER_AUTH_SECRET).toBeUndefined();
  });

  it('trusts no proxy by default, and a hop count or the proxies named in TRUSTED_PROXIES', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://p.example.org' }).trustProxy).toBe(
      false,
    );
    expect(loadConfig({ TRUSTED_PROXIES: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,::1,loopback' }).trustProxy).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
      'loopback',
    ]);
    for (const bad of ['0', '11', 'yes', '10.0.0.0/33', '10.0.0.300', '10.0.0.1,', '*']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad }), bad).toThrow(
        /^TRUSTED_PROXIES must be a hop count from 1 to 10, or proxy addresses and ranges/,
      );
    }
  });

  it('treats an empty variable as not set', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      PORT: 3000,
      database: { kind: 'pglite' },
    });
  });

  it('selects PostgreSQL when DATABASE_URL is set and strips a trailing slash from PUBLIC_URL', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/passage',
      PUBLIC_URL: 'https://p.example.org/',
    });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/passage' });
    expect(c.publicUrl).toBe('https://p.example.org');
  });

  it('reads flags written as 0, 1, true or false', () => {
    expect(loadConfig({ PASSAGE_JOBS: '0', PASSAGE_WEB_DEV: 'true' })).toMatchObject({
      PASSAGE_JOBS: false,
      PASSAGE_WEB_DEV: true,
    });
  });

  it.each([
    ['NODE_ENV', 'staging', 'NODE_ENV must be one of development, production, test (got "staging")'],
    ['PORT', 'abc', 'PORT must be a whole number between 1 and 65535 (got "abc")'],
    ['PORT', '0', 'PORT must be a whole number between 1 and 65535 (got "0")'],
    ['PORT', '70000', 'PORT must be a whole number between 1 and 65535 (got "70000")'],
    ['PORT', '80.5', 'PORT must be a whole number between 1 and 65535 (got "80.5")'],
    [
      'PUBLIC_URL',
      'passage.example.org',
      'PUBLIC_URL must be an absolute http(s) URL such as https://passage.example.org (got "passage.example.org")',
    ],
    [
      'PUBLIC_URL',
      'ftp://passage.example.org',
      'PUBLIC_URL must be an absolute http(s) URL such as https://passage.example.org (got "ftp://passage.example.org")',
    ],
    ['MAIL_FROM', 'ab', 'MAIL_FROM must be an address such as "Passage <no-reply@example.org>" (got "ab")'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    ['PASSAGE_JOBS', 'yes', 'PASSAGE_JOBS must be one of 0, 1, true, false (got "yes")'],
    ['PASSAGE_WEB_DEV', 'on', 'PASSAGE_WEB_DEV must be one of 0, 1, true, false (got "on")'],
    [
      'PASSAGE_IDLE_MINUTES',
      'nobody=5',
      'PASSAGE_IDLE_MINUTES must be a list like "rescue_coordinator=15,development=60" of known roles and 1–720 minutes (got "nobody=5")',
    ],
  ])('refuses %s=%j with one line naming the variable and what it expects', (variable, value, message) => {
    const text = messageFor({ [variable]: value });
    expect(text).toBe(message);
    expect(text).not.toContain('\n');
  });

  it.each([
    [
      'DATABASE_URL',
      'mysql://root:hunter2-secret@db/passage',
      'DATABASE_URL must be a URL of the form postgres://user:password@host:5432/database',
    ],
    [
      'SMTP_URL',
      'http://mailer:hunter2-secret@mail',
      'SMTP_URL must be a URL of the form smtp://user:password@host:587 or smtps://…',
    ],
    [
      'BETTER_AUTH_SECRET',
      'hunter2-secret',
      'BETTER_AUTH_SECRET must be a random secret of at least 32 characters',
    ],
    [
      'PASSAGE_KEK',
      'hunter2 secret!',
      'PASSAGE_KEK must be 32 random bytes in base64 (got text that is not base64)',
    ],
  ])('refuses a bad %s without echoing the secret', (variable, value, message) => {
    const text = messageFor({ [variable]: value });
    expect(text).toBe(message);
    expect(text).not.toContain('hunter2');
  });

  it('refuses a 16-byte PASSAGE_KEK by its length, not its value', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const text = messageFor({ PASSAGE_KEK: key });
    expect(text).toBe('PASSAGE_KEK must be 32 random bytes in base64 (got 16 bytes)');
    expect(text).not.toContain(key);
  });

  it('requires PUBLIC_URL in production', () => {
    expect(messageFor({ NODE_ENV: 'production' })).toBe(
      'PUBLIC_URL must be set in production (the https address people open)',
    );
  });
});
