import type { Config } from '../../../platform/config/config';
import type { DatabaseHandle } from '../../../platform/db/client';
import { createLogger } from '../../../platform/log/logger';
import { Mailer } from '../../../platform/mail/mailer';
import { issuerFromConfig, setReceiptIssuer } from '../receipts/receipt-issuer';
import { sendYearEndStatements } from './statement.service';

/**
 * `passage giving statements --year 2026 [--dry-run]`: the same run as the console's button, from a
 * shell (the mail goes to the outbox, and out over SMTP when it is configured). Answers the exit code.
 */
export async function runStatementsCommand(
  database: DatabaseHandle,
  config: Config,
  options: { year: number; dryRun?: boolean },
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  if (options.year >= new Date().getUTCFullYear()) {
    out(`refused: statements for ${options.year} go out once the year has ended`);
    return 1;
  }
  setReceiptIssuer(issuerFromConfig(config));
  const logger = createLogger(config.LOG_LEVEL);
  const mail = new Mailer(database, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }, logger);
  const run = await sendYearEndStatements(database.db, mail, options.year, {
    dryRun: options.dryRun ?? false,
    publicUrl: config.publicUrl,
  });
  await mail.idle();
  out(
    `${run.year}: ${run.donors} donors, ${run.withoutEmail} without an email, ${run.alreadySent} already sent; ` +
      (run.dryRun ? `${run.sent} would be sent (dry run: nothing written)` : `${run.sent} sent now`),
  );
  return 0;
}
