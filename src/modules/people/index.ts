// The people module's public door: supporters (never refugees). Giving finds or creates the donor here and
// registers how its gifts follow a merge and what it adds to a supporter's timeline.

export { peopleModule } from './people.module';
export { liveSupporterIds, supporterDirectory, supporterPostcode } from './people.read-model';
/** Consent per channel as the API answers it (giving's donor portal answers it too). */
export { ConsentStates } from './people.responses';
export type { ConsentChannel, SupporterInput } from './people.schema';
export { CONSENT_CHANNELS } from './people.schema';
export {
  currentConsent,
  findSupporterByEmail,
  getSupporterContact,
  hasConsent,
  insertConsent,
  insertSupporter,
  onSupportersMerged,
  type SupporterMergeHandler,
} from './people.service';
export {
  insertConsents,
  insertSupporters,
  matchSupporters,
  type NewSupporter,
  type SupporterLookup,
  supportersWithConsentStatement,
} from './people-bulk.service';
export {
  idList,
  isoText,
  registerTimelineSource,
  type TimelineEvent,
  type TimelineQuery,
  type TimelineSource,
  timelineWindow,
} from './timeline';
