import type { ActorResolver } from '../auth/actor';
import type { Auth } from '../auth/auth';
import type { SignInThrottle } from '../auth/throttle';
import type { Config } from '../config/config';
import type { KeyRing } from '../crypto/key-ring';
import type { DatabaseHandle } from '../db/client';
import type { Jobs } from '../jobs/jobs';
import type { Logger } from '../log/logger';
import type { Mailer } from '../mail/mailer';

/** What every route plugin and job receives: the platform, built once by the composition root. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  auth: Auth;
  /** Resolves the caller (session, idle timeout, second factor) for route guards. */
  access: ActorResolver;
  throttle: SignInThrottle;
  /** Envelope encryption for S3/S4 fields. */
  keys: KeyRing;
  mail: Mailer;
  jobs: Jobs | null;
  logger: Logger;
}
