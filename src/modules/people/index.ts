// The people module's public door: supporters (never refugees). Giving finds or creates the donor here and
// registers how its gifts follow a merge.

export { peopleModule } from './people.module';
export type { ConsentChannel, SupporterInput } from './people.schema';
export {
  findSupporterByEmail,
  getSupporterContact,
  hasConsent,
  insertConsent,
  insertSupporter,
  onSupportersMerged,
  type SupporterMergeHandler,
} from './people.service';
