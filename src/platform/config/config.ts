import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseIdleOverrides } from '../access/roles';
import { decodeKek } from '../crypto/kek-format';

/**
 * Every setting Passage reads from its environment, validated once at start.
 * A bad value stops the process with one line naming the variable and what it expects.
 */
const port = z.coerce
  .number({ error: 'a whole number between 1 and 65535' })
  .int('a whole number between 1 and 65535')
  .min(1, 'a whole number between 1 and 65535')
  .max(65535, 'a whole number between 1 and 65535');

const postgresUrl = z
  .string()
  .refine(
    (v) => /^postgres(ql)?:\/\/.+/.test(v),
    'a URL of the form postgres://user:password@host:5432/database',
  );

const smtpUrl = z
  .string()
  .refine((v) => /^smtps?:\/\/.+/.test(v), 'a URL of the form smtp://user:password@host:587 or smtps://…');

/**
 * Which proxies may tell us the client's address in X-Forwarded-For: a hop count (`1`: the one proxy in
 * front), or the proxies' addresses and ranges (`10.0.0.5,10.1.0.0/16`, or `loopback`). Unset: none, so the
 * header is ignored and a client cannot pick the address that sign-in lockouts and rate limits count.
 */
export function parseTrustedProxies(value: string): number | string[] | null {
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= 10 ? hops : null;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const family = net.isIP(address ?? '');
    if (!family || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  });
  return valid && entries.length > 0 ? entries : null;
}

const flag = z
  .enum(['0', '1', 'true', 'false'], { error: 'one of 0, 1, true, false' })
  .transform((v) => v === '1' || v === 'true');

export const ConfigSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'one of development, production, test' })
    .default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1, 'a host name or address to listen on').default('127.0.0.1'),
  PUBLIC_URL: z
    .url({ error: 'an absolute http(s) URL such as https://passage.example.org' })
    .refine((v) => /^https?:\/\//.test(v), 'an absolute http(s) URL such as https://passage.example.org')
    .optional(),
  PASSAGE_DATA_DIR: z.string().min(1, 'a folder path').default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  SMTP_URL: smtpUrl.optional(),
  MAIL_FROM: z
    .string()
    .min(3, 'an address such as "Passage <no-reply@example.org>"')
    .default('Passage <no-reply@localhost>'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  PASSAGE_JOBS: flag.default(true),
  PASSAGE_WEB_DEV: flag.default(false),
  TRUSTED_PROXIES: z
    .string()
    .refine(
      (v) => parseTrustedProxies(v) !== null,
      'a hop count from 1 to 10, or proxy addresses and ranges such as 10.0.0.5,10.1.0.0/16 (or loopback)',
    )
    .optional(),
  BETTER_AUTH_SECRET: z.string().min(32, 'a random secret of at least 32 characters').optional(),
  // The key-encryption key; the file variant keeps it out of the environment. See crypto/kek.ts.
  PASSAGE_KEK: z
    .string()
    .superRefine((value, ctx) => {
      const decoded = decodeKek(value);
      // A secret: the message describes the problem and never repeats the value.
      if (!decoded.ok)
        ctx.addIssue({ code: 'custom', message: `32 random bytes in base64 (${decoded.problem})` });
    })
    .optional(),
  PASSAGE_KEK_FILE: z.string().min(1, 'a file path').optional(),
  PASSAGE_IDLE_MINUTES: z
    .string()
    .refine((v) => {
      try {
        parseIdleOverrides(v);
        return true;
      } catch {
        return false;
      }
    }, 'a list like "rescue_coordinator=15,development=60" of known roles and 1–720 minutes')
    .optional(),
  // The organisation that issues receipts and statements (the Korean donation receipt prints all three).
  PASSAGE_ORG_NAME: z.string().trim().min(1, 'the organisation’s name').max(200).default('Passage'),
  PASSAGE_ORG_ADDRESS: z.string().trim().min(1, 'the organisation’s postal address').max(300).optional(),
  PASSAGE_ORG_REGISTRATION_NUMBER: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z][0-9A-Za-z -]{1,38}$/, 'a registration number such as 123-82-12345')
    .optional(),
});

export type Config = z.infer<typeof ConfigSchema> & {
  /** Absolute data folder. */
  dataDir: string;
  /** Where the browser reaches Passage, without a trailing slash. */
  publicUrl: string;
  /** Whom X-Forwarded-For is believed from (Fastify's trustProxy): nobody unless TRUSTED_PROXIES says. */
  trustProxy: false | number | string[];
  /** Which database engine the configuration selects. */
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Names of variables whose values must never be printed. */
export const SECRET_VARIABLES = ['DATABASE_URL', 'SMTP_URL', 'BETTER_AUTH_SECRET', 'PASSAGE_KEK'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = env[key];
    // An empty variable means "not set", as in most twelve-factor tools.
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'configuration');
    const shown = SECRET_VARIABLES.includes(variable as (typeof SECRET_VARIABLES)[number])
      ? ''
      : ` (got ${JSON.stringify(input[variable] ?? '')})`;
    throw new ConfigError(`${variable} must be ${issue?.message ?? 'valid'}${shown}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.PASSAGE_DATA_DIR);
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '');
  if (c.NODE_ENV === 'production' && !c.PUBLIC_URL) {
    throw new ConfigError('PUBLIC_URL must be set in production (the https address people open)');
  }
  return {
    ...c,
    dataDir,
    publicUrl,
    trustProxy: c.TRUSTED_PROXIES ? (parseTrustedProxies(c.TRUSTED_PROXIES) ?? false) : false,
    database: c.DATABASE_URL
      ? { kind: 'postgres', url: c.DATABASE_URL }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
  };
}
