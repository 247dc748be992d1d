import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { Config } from '../config/config';
import type { Db } from '../db/client';
import { accounts, sessions, users, verifications } from './auth.table';
import { PASSWORD_MAX, PASSWORD_MIN } from './password';

/** Staff sessions end after 12 hours whatever happens (SECURITY.md rule 4). */
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;

export function createAuth(db: Db, config: Pick<Config, 'publicUrl' | 'BETTER_AUTH_SECRET'>, secret: string) {
  return betterAuth({
    appName: 'Passage',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret,
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: accounts, verification: verifications },
    }),
    emailAndPassword: {
      enabled: true,
      // Accounts are created by the setup link and by invitation, never by open sign-up.
      disableSignUp: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
    },
    user: {
      additionalFields: { role: { type: 'string', input: false, defaultValue: 'supporter' } },
    },
    session: {
      expiresIn: SESSION_ABSOLUTE_SECONDS,
      // Never extend: the 12-hour limit is absolute.
      disableSessionRefresh: true,
    },
    advanced: {
      cookiePrefix: 'passage',
      useSecureCookies: config.publicUrl.startsWith('https://'),
      defaultCookieAttributes: { sameSite: 'strict', httpOnly: true },
    },
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;
