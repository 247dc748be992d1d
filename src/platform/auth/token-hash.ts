import crypto from 'node:crypto';

/**
 * One-time tokens (setup links, invitations, API tokens) are stored only as their SHA-256, so a copy of the
 * database cannot be used to claim anything. The tokens carry 192+ bits of randomness, so no salt is needed.
 */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** A fresh random token for a link: 24 bytes, URL-safe. */
export function newLinkToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}
