export {
  CONTACT_FIELDS,
  defaultMapping,
  detectLayout,
  GIFT_FIELDS,
  IMPORT_FIELDS,
  type ImportField,
  type ImportLayout,
  type ImportMapping,
} from './gift-import.layouts';
export {
  ImportMappingError,
  type ImportOptions,
  type ImportPlan,
  type ImportResult,
  type ImportSource,
  inspectImport,
  planImport,
  readImport,
} from './gift-import.reader';
export {
  type ContactKind,
  type DateFormat,
  type ImportContact,
  type ImportError,
  type ImportGift,
  type ImportGiftStatus,
  type ImportRow,
  parseDate,
} from './gift-import.row';
