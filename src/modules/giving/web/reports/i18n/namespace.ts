/** The i18next namespace of the giving reports page's own strings. */
export const GIVING_REPORTS_NS = 'giving-reports';
