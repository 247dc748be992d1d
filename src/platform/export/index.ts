export {
  type CsvCell,
  type CsvColumn,
  type CsvExportOptions,
  csvExport,
  csvExportToString,
  neutraliseCell,
} from './csv-export';
export {
  CSV_EXPORTS_PER_MINUTE,
  csvExportRateLimit,
  csvFileName,
  inPages,
  ListFormat,
  sendCsv,
  wantsCsv,
} from './csv-reply';
