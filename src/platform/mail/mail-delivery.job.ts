import type { JobDefinition } from '../jobs/jobs';
import type { Mailer } from './mailer';

/** Retries queued mail every minute, so a message refused while SMTP was down is sent when it is back. */
export const mailDeliveryJob = (mailer: Mailer): JobDefinition => ({
  name: 'mail-delivery',
  schedule: '* * * * *',
  run: () => mailer.deliverQueued(),
});

/** Without SMTP: forgets held messages' one-time links once they could no longer work. */
export const heldMailSweepJob = (mailer: Mailer): JobDefinition => ({
  name: 'held-mail-sweep',
  schedule: '*/5 * * * *',
  run: () => mailer.shredStaleSecrets(),
});
