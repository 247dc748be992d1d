import type { Auth } from '../auth/auth';
import type { Config } from '../config/config';
import type { DatabaseHandle } from '../db/client';
import type { Jobs } from '../jobs/jobs';
import type { Logger } from '../log/logger';
import type { Mailer } from '../mail/mailer';

/** What every route plugin and job receives: the platform, built once by the composition root. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  auth: Auth;
  mail: Mailer;
  jobs: Jobs | null;
  logger: Logger;
}
