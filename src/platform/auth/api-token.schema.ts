import { z } from 'zod';
import { API_TOKEN_ACCESS, API_TOKEN_MAX_DAYS, API_TOKEN_SCOPES } from './api-token.service';

/** A token as its owner sees it: never the secret (shown once, at creation) nor its hash. */
export const ApiTokenView = z.object({
  id: z.string(),
  name: z.string(),
  access: z.enum(API_TOKEN_ACCESS),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
});

/** A token in the administrators' list, with its owner. */
export const AdminApiTokenView = ApiTokenView.extend({
  owner: z.object({ id: z.string(), name: z.string(), role: z.string() }),
  revokedBy: z.string().nullable(),
});

export const ApiTokenCreateSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  days: z
    .number()
    .int('must be a whole number of days')
    .min(1, `must be 1 to ${API_TOKEN_MAX_DAYS} days`)
    .max(API_TOKEN_MAX_DAYS, `must be 1 to ${API_TOKEN_MAX_DAYS} days`),
  access: z.enum(API_TOKEN_ACCESS, { error: 'must be read or write' }).default('read'),
  scopes: z
    .array(z.enum(API_TOKEN_SCOPES, { error: `must each be one of ${API_TOKEN_SCOPES.join(', ')}` }))
    .min(1, 'must name at least one of the route prefixes the token may call')
    .max(API_TOKEN_SCOPES.length),
});
