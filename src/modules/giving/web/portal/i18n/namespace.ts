/** The i18next namespace of the donor portal's own strings. */
export const PORTAL_NS = 'portal';
