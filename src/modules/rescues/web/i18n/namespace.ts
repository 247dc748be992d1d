/** The i18next namespace of the rescues module's own strings. */
export const RESCUES_NS = 'rescues';
