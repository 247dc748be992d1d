import { passkey } from '@better-auth/passkey';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import { magicLink, twoFactor } from 'better-auth/plugins';
import { count, eq } from 'drizzle-orm';
import { isStaffRole } from '../access/roles';
import type { Config } from '../config/config';
import type { Db } from '../db/client';
import type { Mailer } from '../mail/mailer';
import { accounts, passkeys, sessions, twoFactors, users, verifications } from './auth.table';
import { PASSWORD_MAX, PASSWORD_MIN } from './password';
import { type SignInThrottle, THROTTLED_PATHS } from './throttle';

/** Staff sessions end after 12 hours whatever happens (SECURITY.md rule 4). */
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;
/** Header our HTTP bridge sets to the caller's address; any value sent by a client is replaced. */
export const CLIENT_IP_HEADER = 'x-passage-client-ip';

/** Ways of creating a session that prove a second factor (or a passkey) this very moment. */
const STRONG_SIGN_IN_PATHS = new Set([
  '/two-factor/verify-totp',
  '/two-factor/verify-backup-code',
  '/passkey/verify-authentication',
]);

/** The same message for every failed sign-in, whatever the reason (SECURITY.md rule 4). */
export const GENERIC_SIGN_IN_FAILURE = 'Sign-in failed. Check your details, or try again later.';

export interface AuthEvents {
  /** A sign-in step failed or was refused; `who` is an email or user id, never a password. */
  signInFailed(event: { path: string; who: string | null; ip: string | null; reason: string }): Promise<void>;
  signedIn(event: { path: string; userId: string; ip: string | null }): Promise<void>;
}

export interface AuthDependencies {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  secret: string;
  mail: Pick<Mailer, 'send'>;
  throttle: SignInThrottle;
  events: AuthEvents;
}

export function createAuth({ db, config, secret, mail, throttle, events }: AuthDependencies) {
  const url = new URL(config.publicUrl);
  const secure = url.protocol === 'https:';

  const findUser = async (where: { id?: string; email?: string }) => {
    const [user] = await db
      .select({
        id: users.id,
        role: users.role,
        frozenAt: users.frozenAt,
        twoFactorEnabled: users.twoFactorEnabled,
      })
      .from(users)
      .where(where.id ? eq(users.id, where.id) : eq(users.email, (where.email ?? '').toLowerCase()));
    return user;
  };

  const clientIp = (headers: Headers | undefined) => headers?.get(CLIENT_IP_HEADER) ?? null;
  const bodyEmail = (body: unknown) =>
    typeof (body as { email?: unknown })?.email === 'string'
      ? (body as { email: string }).email.toLowerCase()
      : null;

  return betterAuth({
    appName: 'Passage',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret,
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: {
        user: users,
        session: sessions,
        account: accounts,
        verification: verifications,
        twoFactor: twoFactors,
        passkey: passkeys,
      },
    }),
    emailAndPassword: {
      enabled: true,
      // Staff accounts come from the setup link and invitations; supporters sign in with an email link.
      disableSignUp: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
    },
    user: {
      additionalFields: {
        role: { type: 'string', input: false, defaultValue: 'supporter' },
        frozenAt: { type: 'date', input: false, required: false },
      },
    },
    session: {
      expiresIn: SESSION_ABSOLUTE_SECONDS,
      // Never extended: the 12-hour limit is absolute. The idle timeout is ours (see auth/actor.ts).
      disableSessionRefresh: true,
      additionalFields: {
        lastActiveAt: { type: 'date', input: false, required: false },
        stepUpAt: { type: 'date', input: false, required: false },
      },
    },
    plugins: [
      twoFactor({
        issuer: 'Passage',
        backupCodeOptions: { amount: 10, length: 12 },
        // No "trust this device": every staff sign-in asks for the second factor.
        trustDeviceMaxAge: 1,
      }),
      passkey({ rpID: url.hostname, rpName: 'Passage', origin: url.origin }),
      magicLink({
        expiresIn: 15 * 60,
        // Only a hash of the link's token is kept: a copy of the database cannot sign anyone in.
        storeToken: 'hashed',
        async sendMagicLink({ email, url: link }) {
          // Staff never sign in by email link: no second factor. Say nothing, so the form reveals nothing.
          const user = await findUser({ email });
          if (user && isStaffRole(user.role)) return;
          await mail.send({
            to: email,
            subject: 'Your sign-in link for Passage',
            text: `Open this link within 15 minutes to sign in:\n\n${link}\n\nIf you did not ask for it, ignore this email.`,
            // The link signs the supporter in: the outbox keeps the mail without it.
            secret: { kind: 'sign_in', values: [link] },
          });
        },
      }),
    ],
    databaseHooks: {
      session: {
        create: {
          async before(session, ctx) {
            const user = await findUser({ id: session.userId });
            if (!user || user.frozenAt)
              throw new APIError('UNAUTHORIZED', { message: GENERIC_SIGN_IN_FAILURE });
            const path = ctx?.path ?? '';
            const now = new Date();
            if (isStaffRole(user.role)) {
              if (path === '/magic-link/verify') {
                throw new APIError('UNAUTHORIZED', { message: GENERIC_SIGN_IN_FAILURE });
              }
              if (path === '/sign-in/email' && !user.twoFactorEnabled) {
                const [keys] = await db
                  .select({ n: count() })
                  .from(passkeys)
                  .where(eq(passkeys.userId, user.id));
                // An account with a passkey but no authenticator app signs in with the passkey.
                if ((keys?.n ?? 0) > 0)
                  throw new APIError('UNAUTHORIZED', { message: GENERIC_SIGN_IN_FAILURE });
              }
            }
            return {
              data: { ...session, lastActiveAt: now, stepUpAt: STRONG_SIGN_IN_PATHS.has(path) ? now : null },
            };
          },
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (!THROTTLED_PATHS.has(ctx.path)) return;
        const ip = clientIp(ctx.headers);
        const email = bodyEmail(ctx.body);
        if (await throttle.isLocked({ ip, email })) {
          await events.signInFailed({ path: ctx.path, who: email, ip, reason: 'locked' });
          throw new APIError('TOO_MANY_REQUESTS', { message: GENERIC_SIGN_IN_FAILURE });
        }
        if (ctx.path === '/sign-in/email' && email) {
          const user = await findUser({ email });
          if (user?.frozenAt) {
            await throttle.recordFailure({ ip, email });
            await events.signInFailed({ path: ctx.path, who: email, ip, reason: 'frozen' });
            throw new APIError('UNAUTHORIZED', { message: GENERIC_SIGN_IN_FAILURE });
          }
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (!THROTTLED_PATHS.has(ctx.path)) return;
        const ip = clientIp(ctx.headers);
        const email = bodyEmail(ctx.body);
        const returned = ctx.context.returned;
        if (isAPIError(returned)) {
          await throttle.recordFailure({ ip, email });
          await events.signInFailed({
            path: ctx.path,
            who: email,
            ip,
            reason: String(returned.body?.code ?? returned.status),
          });
          return;
        }
        const session = ctx.context.newSession;
        if (session) {
          await throttle.recordSuccess({ email: session.user.email, ip });
          await events.signedIn({ path: ctx.path, userId: session.user.id, ip });
        }
      }),
    },
    advanced: {
      // better-auth names secure cookies `__Secure-passage.*`; the HTTP bridge renames them `__Host-passage.*`.
      cookiePrefix: 'passage',
      useSecureCookies: secure,
      defaultCookieAttributes: { sameSite: 'strict', httpOnly: true, path: '/' },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      database: { generateId: () => crypto.randomUUID() },
    },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
  });
}

export type Auth = ReturnType<typeof createAuth>;
