/** The i18next namespace of the supporters pages' own strings. */
export const SUPPORTERS_NS = 'supporters';
