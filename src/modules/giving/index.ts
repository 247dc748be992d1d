// The giving module's public door: gifts, funds, campaigns, and the ledger check.

export { type GivingSummary, givingSummaryFor, givingTimelineFor } from './donors/timeline';
export {
  applyProviderEvent,
  campaignProgress,
  checkLedger,
  receiveWebhook,
} from './gift.service';
export { givingModule } from './giving.module';
export { GIVING_CURRENCIES, type GivingCurrency } from './money';
export { statementPdfFor } from './statements/statement-pdf';
