/** What the donor portal reads and sends (src/modules/giving/portal.routes.ts). */

export type MonthlyStatus = 'pending' | 'active' | 'paused' | 'cancelled' | 'lapsed';
export type MonthlyChange = 'pause' | 'resume' | 'cancel';
export type ConsentChannel = 'email' | 'post' | 'phone';
export const CHANNELS: readonly ConsentChannel[] = ['email', 'post', 'phone'];

export interface PortalMe {
  email: string;
  donor: { displayName: string } | null;
}

export interface MyGift {
  id: string;
  amountMinor: number;
  refundedMinor: number;
  currency: string;
  status: 'settled' | 'refunded';
  fundName: string | null;
  monthly: boolean;
  tribute: { kind: string; name: string } | null;
  givenOn: string;
  receipt: { number: string } | null;
}

export interface MyMonthlyGift {
  id: string;
  status: MonthlyStatus;
  amountMinor: number;
  feeMinor: number;
  currency: string;
  fundName: string | null;
  dayOfMonth: number;
  nextChargeAt: string | null;
  failedAttempts: number;
  lastFailureAt: string | null;
  pausedAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  can: { pause: boolean; resume: boolean; cancel: boolean; changeAmount: boolean };
}

export interface ConsentState {
  status: 'granted' | 'withdrawn' | 'unknown';
  method: string | null;
  statedAt: string | null;
}

export interface MyPreferences {
  recorded: boolean;
  preferences: Record<ConsentChannel, ConsentState> | null;
}

export const PORTAL_KEYS = {
  me: ['portal', 'me'] as const,
  gifts: ['portal', 'gifts'] as const,
  monthly: ['portal', 'monthly'] as const,
  preferences: ['portal', 'preferences'] as const,
};

export const receiptUrl = (giftId: string) => `/api/giving/me/gifts/${giftId}/receipt.pdf`;
