import crypto from 'node:crypto';
import { CryptoError } from './crypto.errors';

/**
 * The one ciphertext format of Passage: `v1:<iv>:<tag>:<ciphertext>`, each part base64url without
 * padding; AES-256-GCM with a random 96-bit IV and a 128-bit tag. The version prefix lets a later
 * algorithm live beside this one. Parsing is strict: any text that is not exactly what `seal` writes
 * is refused before decryption is tried.
 */
export const CIPHERTEXT_VERSION = 'v1';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${CIPHERTEXT_VERSION}:${iv.toString('base64url')}:${tag.toString('base64url')}:${ct.toString('base64url')}`;
}

function part(text: string, bytes?: number): Buffer {
  if (!B64URL.test(text)) throw invalid();
  const buf = Buffer.from(text, 'base64url');
  // Base64url's last character can carry unused bits Node ignores; a canonical re-encoding refuses them.
  if (buf.toString('base64url') !== text) throw invalid();
  if (bytes !== undefined && buf.length !== bytes) throw invalid();
  return buf;
}

const invalid = () => new CryptoError('invalid_ciphertext', 'This is not a Passage ciphertext (v1).');

export function open(key: Buffer, ciphertext: string, aad: Buffer): Buffer {
  if (typeof ciphertext !== 'string') throw invalid();
  const parts = ciphertext.split(':');
  if (parts.length !== 4 || parts[0] !== CIPHERTEXT_VERSION) throw invalid();
  const iv = part(parts[1] as string, IV_BYTES);
  const tag = part(parts[2] as string, TAG_BYTES);
  const ct = part(parts[3] as string);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    // One message for every failure: which of key, record, field or bytes was wrong is not revealed.
    throw new CryptoError(
      'decryption_failed',
      'Decryption failed: the value was altered, or belongs to another record, field or key.',
    );
  }
}

/** Binds a field's ciphertext to its data key and field name, so values cannot move between records or columns. */
export function fieldAad(keyId: string, field: string): Buffer {
  return Buffer.from(`passage field v1\0${keyId}\0${field}`, 'utf8');
}

/** Binds a wrapped data key to its row. */
export function wrapAad(keyId: string): Buffer {
  return Buffer.from(`passage data key v1\0${keyId}`, 'utf8');
}
