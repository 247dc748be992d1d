/** The i18next namespace of the giving console pages' own strings. */
export const GIVING_NS = 'giving';
