import { z } from 'zod';
import { CONSENT_CHANNELS, CONSENT_METHODS, ORGANISATION_TYPES, SUPPORTER_KINDS } from './people.constants';

export * from './people.constants';

const optionalText = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).optional();

export const SupporterId = z.string().uuid('is not a supporter id');

export const SupporterInput = z
  .object({
    kind: z.enum(SUPPORTER_KINDS, { error: `must be one of ${SUPPORTER_KINDS.join(', ')}` }),
    organisationType: z.enum(ORGANISATION_TYPES).optional(),
    /** Required for households and organisations; built from first and last name for individuals. */
    displayName: optionalText(200),
    firstName: optionalText(100),
    lastName: optionalText(100),
    email: z.string().trim().toLowerCase().email('must be an email address').max(254).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()./-]{5,30}$/, 'must be a phone number of digits, spaces and + ( ) - .')
      .optional(),
    postcode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9 -]{2,12}$/, 'must be a postcode of letters, digits, spaces or dashes')
      .optional(),
    householdId: SupporterId.optional(),
  })
  .superRefine((v, ctx) => {
    const name = v.displayName || [v.firstName, v.lastName].filter(Boolean).join(' ');
    if (!name)
      ctx.addIssue({
        code: 'custom',
        path: ['displayName'],
        message: 'is required (or a first or last name)',
      });
    if (v.kind === 'organisation' && !v.organisationType)
      ctx.addIssue({
        code: 'custom',
        path: ['organisationType'],
        message: 'is required for an organisation',
      });
    if (v.kind !== 'organisation' && v.organisationType)
      ctx.addIssue({ code: 'custom', path: ['organisationType'], message: 'is only for organisations' });
  });
export type SupporterInput = z.infer<typeof SupporterInput>;

/** A change of contact details: a field left out stays; `null` clears it (a name cannot be cleared). */
export const SupporterPatch = z.object({
  displayName: optionalText(200),
  firstName: optionalText(100).nullable(),
  lastName: optionalText(100).nullable(),
  email: z.string().trim().toLowerCase().email('must be an email address').max(254).nullable().optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{5,30}$/, 'must be a phone number of digits, spaces and + ( ) - .')
    .nullable()
    .optional(),
  postcode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9 -]{2,12}$/, 'must be a postcode of letters, digits, spaces or dashes')
    .nullable()
    .optional(),
});
export type SupporterPatch = z.infer<typeof SupporterPatch>;

export const ConsentInput = z.object({
  channel: z.enum(CONSENT_CHANNELS, { error: `must be one of ${CONSENT_CHANNELS.join(', ')}` }),
  granted: z.boolean({ error: 'must be true (given) or false (withdrawn)' }),
  method: z.enum(CONSENT_METHODS, { error: `must be one of ${CONSENT_METHODS.join(', ')}` }),
  statedAt: z.coerce.date({ error: 'must be a date and time such as 2026-01-31T12:00:00Z' }).optional(),
});
export type ConsentInput = z.infer<typeof ConsentInput>;

export const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9 _-]{0,39}$/, 'must be 1–40 letters, digits, spaces, _ or -');

export const NoteInput = z.object({ body: z.string().trim().min(1, 'is required').max(5000) });

export const SearchQuery = z.object({
  q: z.string().trim().max(200).optional(),
  tag: Tag.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const TimelinePageQuery = z.object({
  /** The `nextCursor` of the previous page. */
  cursor: z
    .string()
    .max(400, 'must be at most 400 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a timeline cursor from this server')
    .optional(),
  /** Only what happened before this time (to jump to a date). */
  before: z.coerce.date({ error: 'must be a date and time such as 2026-01-31T12:00:00Z' }).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1 to 200').max(200, 'must be 1 to 200').default(50),
});
export type TimelinePageQuery = z.infer<typeof TimelinePageQuery>;

export const MergeInput = z.object({
  /** The record that stays; the one in the URL is merged into it. */
  survivorId: SupporterId,
});

/** Normalisations shared by create, update, search and duplicate detection. */
export const keys = {
  email: (email?: string | null) => (email ? email.trim().toLowerCase() : null),
  phone: (phone?: string | null) => {
    const digits = phone?.replace(/[^0-9]/g, '') ?? '';
    return digits.length >= 5 ? digits : null;
  },
  postcode: (postcode?: string | null) => (postcode ? postcode.replace(/\s+/g, '').toUpperCase() : null),
  name: (name: string) =>
    name
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} ]+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
};
