import { z } from 'zod';

/*
 * Building blocks of response schemas (`schema.response` of a route). fastify-type-provider-zod encodes
 * each answer through its schema before JSON.stringify: unknown keys are stripped, and a value of the
 * wrong shape is a 500, never a leak. A route's handler returns the schema's output type (what services
 * give: Dates, plain strings); the JSON sent is its input type, `z.input<typeof X>`, which is what the web
 * imports (type-only, so no Zod reaches the bundle).
 */

/** A moment: a Date in the service, its ISO 8601 string on the wire (what JSON.stringify would write). */
export const Timestamp = z.codec(z.iso.datetime(), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

/**
 * A text column that holds one of a few values: the service reads it as a string, the answer is checked
 * to be one of them, and the web sees the union (`'open' | 'posted'`).
 */
export function storedEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.codec(z.enum(values), z.string(), {
    decode: (value) => value,
    encode: (value) => value as T[number],
  });
}

/** The answer of a command that only says it was done. */
export const Done = z.object({ ok: z.literal(true) });

/** What a route sends, as the web receives it. */
export type Wire<S extends z.ZodType> = z.input<S>;

/**
 * Every error answer of the API (app.ts's error handler): declared only by a route that sends an error body
 * of its own, which then must keep the handler's shape (the handler's answers go through it too).
 */
export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
