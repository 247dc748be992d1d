// Every Drizzle table of Passage, gathered for the ORM and for drizzle-kit. Modules add their
// `*.table.ts` exports here as they land.

import * as giving from '../../modules/giving/giving.table';
import * as people from '../../modules/people/people.table';
import * as rescues from '../../modules/rescues/rescue.table';
import * as access from '../access/compartment.table';
import * as audit from '../audit/audit.table';
import * as auth from '../auth/auth.table';
import * as crypto from '../crypto/data-key.table';
import * as mail from '../mail/mail.table';

export const schema = { ...auth, ...access, ...mail, ...audit, ...crypto, ...rescues, ...people, ...giving };
