// Test factories: what a test needs from another module, built through that module's own services (never
// its tables). A test under src/modules/<a>/ reaches another module only through its index.ts or here.
export {
  buildSupporter,
  consentHistory,
  countConsentStatements,
  countSupporters,
  mergeSupporter,
  readSummaries,
  readTimeline,
} from './people';
export { buildRescueCase, buildRescueLeg, buildTraveller, markRescueArrived } from './rescues';
export { buildStaff } from './staff';
