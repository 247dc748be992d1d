import { IMPORT_MAX_CHARS } from '../../import/gift-import.constants';

/*
 * The shapes the import routes answer with (import/gift-import.responses.ts, imported as types only: no
 * Zod in the bundle) and the fields and layouts the server maps (gift-import.constants.ts). Nothing here is
 * stored in the browser: the file stays in memory while the page is open.
 */

export {
  IMPORT_FIELDS,
  IMPORT_LAYOUTS,
  type ImportField,
  type ImportLayout,
  type RunStatus,
} from '../../import/gift-import.constants';
export type {
  CommitCounts,
  ImportProblem,
  ImportReport,
  ImportRun,
  RunList,
  RunState,
} from '../../import/gift-import.responses';

/** The console's ceiling (the command line takes larger files). */
export const MAX_FILE_BYTES = IMPORT_MAX_CHARS;
