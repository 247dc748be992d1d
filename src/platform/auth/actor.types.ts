import type { StaffRole } from '../access/roles';

/** Who is calling: resolved from a session or an API token by actor.ts. */
export interface Actor {
  userId: string;
  name: string;
  email: string;
  role: string;
  sessionId: string;
  /** An authenticator app is enrolled. */
  twoFactorEnabled: boolean;
  /** The account has a second factor: an authenticator app or a passkey. */
  secondFactor: boolean;
  /** Last full re-authentication of this session. */
  stepUpAt: Date | null;
  /** Set when the caller is an API token: what it may do (checked on every request). */
  apiToken?: { access: string; scopes: readonly string[] };
}

export interface StaffActor extends Actor {
  role: StaffRole;
}
