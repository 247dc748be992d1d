/** The i18next namespace of the pledges pages' own strings. */
export const PLEDGES_NS = 'pledges';
