/**
 * Input no route can store faithfully, refused in one place before any route's own validation: a NUL
 * character (PostgreSQL text cannot hold one), ill-formed Unicode (a lone surrogate cannot be encoded as
 * UTF-8, so an encrypted field would not read back as typed), and JSON nested deeper than any route needs
 * (walking it would exhaust a recursive validator). Each answers 400 naming the field.
 */

/** No route takes anything nested deeper than this (a rescue's travellers' answers are about 4). */
export const MAX_INPUT_DEPTH = 32;

/** A lone high surrogate (not followed by a low one) or a lone low surrogate (not preceded by a high one). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface InputProblem {
  /** Where: `body`, `name`, `travellers.0.notes`, `querystring.action`. */
  field: string;
  message: string;
}

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  return null;
}

/**
 * The first problem in a parsed request part (its body, query or params), or null. Walks without recursion,
 * so even a body of a million nested arrays costs one loop and answers 400.
 */
export function findInputProblem(value: unknown, part: string): InputProblem | null {
  const pending: { value: unknown; path: string[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  const name = (path: string[]) => (path.length ? path.join('.') : part);
  while (pending.length > 0) {
    const next = pending.pop() as { value: unknown; path: string[]; depth: number };
    const { value: v, path, depth } = next;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { field: name(path), message: problem };
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      return { field: name(path), message: `is nested deeper than ${MAX_INPUT_DEPTH} levels` };
    }
    for (const [key, child] of Object.entries(v)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: name(path), message: `holds a key that ${keyProblem}` };
      pending.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return null;
}
