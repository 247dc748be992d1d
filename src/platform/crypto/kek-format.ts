/**
 * The shape of a key-encryption key as an operator supplies it: 32 random bytes written in base64
 * (standard or URL-safe, padding optional), e.g. the output of `openssl rand -base64 32`.
 * Kept free of imports so the configuration schema can use it without a cycle.
 */
export const KEK_BYTES = 32;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The key bytes, or a description of what is wrong that never repeats the value itself. */
export function decodeKek(text: string): { ok: true; key: Buffer } | { ok: false; problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'got an empty value' };
  const url = BASE64URL.test(trimmed);
  if (!url && !BASE64.test(trimmed)) return { ok: false, problem: 'got text that is not base64' };
  const key = Buffer.from(trimmed, url ? 'base64url' : 'base64');
  // Node ignores stray bits at the end; re-encoding catches values that are not canonical base64.
  const again = key.toString(url ? 'base64url' : 'base64');
  if (again.replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) {
    return { ok: false, problem: 'got text that is not valid base64' };
  }
  if (key.length !== KEK_BYTES) return { ok: false, problem: `got ${key.length} bytes` };
  return { ok: true, key };
}
