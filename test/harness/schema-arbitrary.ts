import fc from 'fast-check';

/**
 * fast-check arbitraries built from a route's JSON schema (the OpenAPI document the app generates from its
 * Zod schemas): `validValue` draws values the schema accepts, `malformedValue` values just outside it
 * (boundaries, wrong types, missing or unknown fields, hostile text) and `fuzzValue` a mix of both, so a
 * fuzzer reaches the handlers as well as the validators.
 */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
}

/** A string well past any field's limit that still fits the 1 MiB body limit. */
const HUGE = 'x'.repeat(200_000);
/** Text PostgreSQL or UTF-8 cannot store, and other awkward characters. */
const HOSTILE_TEXT = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uFEFF',
  '\u202E',
  'Ω≈ç√∫',
  '이름',
  '😀'.repeat(50),
  "'; drop table users; --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '=cmd|calc!A1',
  '{{7*7}}',
  ['$', '{jndi:ldap://x}'].join(''),
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  'true',
  'null',
  '__proto__',
  HUGE,
];
const WEIRD_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  -2147483649,
  2147483648,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e308,
  -1e308,
  5e-324,
];

/** JSON nested `depth` levels deep (arrays or objects): past the input guard's limit when depth > 32. */
export function deeplyNested(depth: number, asObject: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

/** Any JSON-ish value: the "wrong type" for every schema. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    ...WEIRD_NUMBERS,
    ...HOSTILE_TEXT,
    [],
    {},
    [null],
    { '': null },
    deeplyNested(40, false),
    deeplyNested(40, true),
    deeplyNested(1000, false),
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 3 }),
);

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  return [];
}

function isoDate(min: Date, max: Date): fc.Arbitrary<Date> {
  return fc.date({ min, max, noInvalidDate: true });
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 10_000;
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  const candidates: fc.Arbitrary<string>[] = [];
  if (schema.format === 'uuid') candidates.push(fc.uuid());
  else if (schema.format === 'email')
    candidates.push(
      fc.constantFrom('donor@example.org', 'a.b+c@example.co.kr', 'x@y.io'),
      fc.stringMatching(/^[a-z]{1,10}@[a-z]{1,10}\.(org|com|kr)$/),
    );
  else if (schema.format === 'date-time')
    candidates.push(
      isoDate(new Date('1990-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z')).map((d) => d.toISOString()),
    );
  else if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    candidates.push(fc.stringMatching(pattern).filter(fits));
  } else {
    const upper = Math.min(maxLength, minLength + 40);
    candidates.push(
      fc.string({ minLength, maxLength: upper }),
      fc.string({ unit: 'grapheme', minLength, maxLength: upper }),
      // The boundaries: exactly the shortest and the longest the schema allows.
      fc.constant('a'.repeat(minLength)),
      fc.constant('한'.repeat(Math.min(maxLength, 100_000))),
    );
  }
  return fc.oneof(...candidates).filter(fits);
}

function validNumber(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  let min = schema.minimum ?? (integer ? -1_000_000_000 : -1e9);
  let max = schema.maximum ?? (integer ? 1_000_000_000 : 1e9);
  if (schema.exclusiveMinimum !== undefined)
    min = Math.max(min, schema.exclusiveMinimum + (integer ? 1 : 1e-6));
  if (schema.exclusiveMaximum !== undefined)
    max = Math.min(max, schema.exclusiveMaximum - (integer ? 1 : 1e-6));
  min = Math.max(min, Number.MIN_SAFE_INTEGER);
  max = Math.min(max, Number.MAX_SAFE_INTEGER);
  if (integer) {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    return fc.oneof(
      fc.integer({ min: lo, max: hi }),
      fc.constantFrom(lo, hi),
      fc.integer({ min: lo, max: Math.min(hi, lo + 100) }),
    );
  }
  return fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max));
}

function validObject(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const required = (schema.required ?? []).filter((k) => k in props);
  const record = fc.record(
    Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(s, depth + 1)])),
    { requiredKeys: required },
  );
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object' && Object.keys(props).length === 0) {
    const keys = schema.propertyNames
      ? validString(schema.propertyNames)
      : fc.string({ minLength: 1, maxLength: 20 });
    return fc.dictionary(keys, validValue(extra, depth + 1), { maxKeys: 4 });
  }
  return record as fc.Arbitrary<Record<string, unknown>>;
}

/** Values the schema accepts (as far as a JSON schema can say: refinements in code may still refuse them). */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => validValue(s, depth)));
  if (schema.allOf?.length) return validValue(Object.assign({}, ...schema.allOf), depth);
  const kinds = types(schema);
  if (kinds.length === 0) return depth > 4 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...kinds.map((kind): fc.Arbitrary<unknown> => {
      switch (kind) {
        case 'string':
          return validString(schema);
        case 'integer':
          return validNumber(schema, true);
        case 'number':
          return validNumber(schema, false);
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          return fc.array(validValue(schema.items ?? {}, depth + 1), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.min(schema.maxItems ?? 5, (schema.minItems ?? 0) + 4),
          });
        default:
          return validObject(schema, depth);
      }
    }),
  );
}

/** Values just outside the schema: its boundaries crossed, the wrong type, hostile text, odd shapes. */
export function malformedValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const near: fc.Arbitrary<unknown>[] = [anyJson];
  const kinds = types(schema);
  if (kinds.includes('string') || schema.enum) {
    const min = schema.minLength ?? 0;
    const max = schema.maxLength;
    near.push(fc.constantFrom(...HOSTILE_TEXT));
    if (min > 0) near.push(fc.constant('a'.repeat(min - 1)));
    if (max !== undefined && max < 500_000) near.push(fc.constant('a'.repeat(max + 1)));
    if (schema.enum) near.push(fc.constantFrom(...schema.enum.map((e) => `${String(e).toUpperCase()} `)));
    // A valid value with a NUL or a lone surrogate inside it.
    near.push(
      fc
        .tuple(validValue(schema, depth), fc.constantFrom('\u0000', '\uD83D', '\uDE00'))
        .map(([v, bad]) => (typeof v === 'string' ? `${v.slice(0, 1)}${bad}${v.slice(1)}` : bad)),
    );
  }
  if (kinds.includes('integer') || kinds.includes('number')) {
    const edges: number[] = [...WEIRD_NUMBERS];
    if (schema.minimum !== undefined) edges.push(schema.minimum - 1, schema.minimum - 0.5);
    if (schema.maximum !== undefined) edges.push(schema.maximum + 1, schema.maximum + 0.5);
    if (schema.exclusiveMinimum !== undefined) edges.push(schema.exclusiveMinimum);
    near.push(fc.constantFrom(...edges), fc.constantFrom('1', '1.0', '0x10', '1e3', ' 1', ''));
  }
  if (kinds.includes('array')) {
    const item = schema.items ?? {};
    near.push(
      fc.array(malformedValue(item, depth + 1), { minLength: 1, maxLength: 3 }),
      fc.constant(Array.from({ length: (schema.maxItems ?? 1000) + 1 }, () => null)),
    );
    if ((schema.minItems ?? 0) > 0) near.push(fc.constant([]));
  }
  if (kinds.includes('object') || schema.properties) {
    const props = Object.entries(schema.properties ?? {});
    const valid = validObject(schema, depth);
    // One field malformed, the rest valid: gets past every other check to the field's own.
    if (props.length && depth < 4) {
      near.push(
        fc.oneof(
          ...props.map(([key, s]) =>
            fc.tuple(valid, malformedValue(s, depth + 1)).map(([o, bad]) => ({ ...o, [key]: bad })),
          ),
        ),
      );
    }
    // A required field missing.
    for (const key of schema.required ?? []) {
      near.push(
        valid.map((o) => {
          const copy = { ...o };
          delete copy[key];
          return copy;
        }),
      );
    }
    // Unknown fields, prototype keys and a valid body buried deep.
    near.push(
      fc
        .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), anyJson)
        .map(([o, k, v]) => ({ ...o, [`unknown_${k}`]: v })),
      valid.map((o) =>
        JSON.parse(
          `{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},${JSON.stringify(o).slice(1)}`.replace(
            /,}$/,
            '}',
          ),
        ),
      ),
      valid.map((o) => ({ ...o, nested: deeplyNested(33, true) })),
    );
  }
  return fc.oneof(...near);
}

/** Mostly malformed, sometimes valid: what a fuzzer sends. */
export function fuzzValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: validValue(schema) },
    { weight: 2, arbitrary: malformedValue(schema) },
  );
}
