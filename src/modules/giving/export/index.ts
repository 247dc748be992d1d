export {
  type CsvCell,
  type CsvColumn,
  type CsvExportOptions,
  csvExport,
  csvExportToString,
  neutraliseCell,
} from './csv-export';
