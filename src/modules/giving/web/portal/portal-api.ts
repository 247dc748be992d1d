// The people module's Zod-free constants: the channels the server records consent for.
import { CONSENT_CHANNELS } from '../../../people/people.constants';

/*
 * What the donor portal reads and sends (src/modules/giving/portal.routes.ts): the shapes are the routes'
 * response schemas (portal.responses.ts, imported as types only: no Zod in the bundle), the lists are the
 * server's own constants.
 */

export type { RecurringStatus as MonthlyStatus } from '../../giving.constants';
export type {
  ConsentState,
  MyGift,
  MyMonthlyGift,
  MyPreferences,
  PortalMe,
} from '../../portal.responses';
export type MonthlyChange = 'pause' | 'resume' | 'cancel';
export type { ConsentChannel } from '../../../people/people.constants';
export const CHANNELS: readonly (typeof CONSENT_CHANNELS)[number][] = CONSENT_CHANNELS;

export const PORTAL_KEYS = {
  me: ['portal', 'me'] as const,
  gifts: ['portal', 'gifts'] as const,
  monthly: ['portal', 'monthly'] as const,
  preferences: ['portal', 'preferences'] as const,
};

export const receiptUrl = (giftId: string) => `/api/giving/me/gifts/${giftId}/receipt.pdf`;
