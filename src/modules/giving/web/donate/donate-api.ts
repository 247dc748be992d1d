import type { z } from 'zod';
import type { DonateOptions, DonationOutcome } from '../../donations/donate.service';
import type { DonationStarted } from '../../giving.responses';
import type { DonationInput } from '../../giving.schema';

/*
 * The three calls the donate page makes, with plain fetch (no query library: the page stays light).
 * Types come from the server's own modules (type-only imports: nothing of them reaches the bundle).
 */

export type { DonateOptions, DonationOutcome };
export type DonationRequest = z.input<typeof DonationInput>;
export type DonationResult = DonationStarted;

/** A refused request: the server's `{error, message}` with the field it names (`donor.email: …`). */
export class DonateApiError extends Error {
  override name = 'DonateApiError';
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly fields: { field: string; reason: string }[],
  ) {
    super(message);
  }
}

/** "donor.email: must be an email address" → field and reason; a message without a field keeps it whole. */
export function splitFieldMessage(message: string): { field: string; reason: string } {
  const m = /^([A-Za-z][\w.]*): (.+)$/s.exec(message);
  return m ? { field: m[1] as string, reason: m[2] as string } : { field: '', reason: message };
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const e = (json ?? {}) as {
      error?: string;
      message?: string;
      issues?: { field: string; message: string }[];
    };
    const message = e.message ?? `HTTP ${response.status}`;
    const fields = e.issues?.length
      ? e.issues.map((i) => ({ field: i.field, reason: i.message }))
      : [splitFieldMessage(message)];
    throw new DonateApiError(response.status, e.error ?? 'internal', message, fields);
  }
  return json as T;
}

export const fetchDonateOptions = () => call<DonateOptions>('GET', '/api/giving/donate-options');
export const sendDonation = (request: DonationRequest) =>
  call<DonationResult>('POST', '/api/giving/donations', request);
export const fetchOutcome = (giftId: string) =>
  call<DonationOutcome>('GET', `/api/giving/donations/${encodeURIComponent(giftId)}`);
