// The giving module's public door: gifts, funds, campaigns, and the ledger check.

export { applyProviderEvent, receiveWebhook } from './donations/webhook.service';
export { type GivingSummary, givingSummaryFor, givingTimelineFor } from './donors/timeline';
export { campaignProgress } from './funds/campaign.service';
export { givingModule } from './giving.module';
export { checkLedger } from './ledger/ledger.service';
export { GIVING_CURRENCIES, type GivingCurrency } from './money';
export { statementPdfFor } from './statements/statement-pdf';
