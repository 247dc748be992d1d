/** The i18next namespace of the giving import page's own strings. */
export const GIVING_IMPORT_NS = 'giving-import';
