// The giving module's public door: gifts, funds, campaigns, the ledger check, and the commands `passage`
// runs (import, statements).
export {
  applyProviderEvent,
  campaignProgress,
  checkLedger,
  receiveWebhook,
} from './gift.service';
export { givingModule } from './giving.module';
export { type ImportCommandOptions, runImportCommand } from './import/gift-import.cli';
export { GIVING_CURRENCIES, type GivingCurrency } from './money';
export { runStatementsCommand } from './statements/statement.cli';
export { statementPdfFor } from './statements/statement-pdf';
export { type GivingSummary, givingSummaryFor, givingTimelineFor } from './timeline';
