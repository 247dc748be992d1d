import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoError } from './crypto.errors';
import { fieldAad, open, seal } from './envelope';

const key = crypto.randomBytes(32);
const aad = fieldAad('5d7c1b2e-0000-4000-8000-000000000001', 'rescue_cases.legal_name');
const FORMAT = /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/;

function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, 'latin1');
  const i = Math.floor(bit / 8) % bytes.length;
  bytes[i] = (bytes[i] as number) ^ (1 << (bit % 8));
  return bytes.toString('latin1');
}

describe('seal and open (AES-256-GCM, v1 format)', () => {
  it('round-trips any string, including all of Unicode, in the compact v1 format', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const ct = seal(key, Buffer.from(text, 'utf8'), aad);
        expect(ct).toMatch(FORMAT);
        expect(open(key, ct, aad).toString('utf8')).toBe(text);
      }),
    );
  });

  it('round-trips any bytes, including the empty buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const plain = Buffer.from(bytes);
        expect(open(key, seal(key, plain, aad), aad).equals(plain)).toBe(true);
      }),
    );
  });

  it('uses a fresh IV every time: the same value never encrypts to the same text', () => {
    const seen = new Set(Array.from({ length: 200 }, () => seal(key, Buffer.from('same'), aad)));
    expect(seen.size).toBe(200);
  });

  it('refuses any single-bit flip anywhere in the ciphertext text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), (bytes, bit) => {
        const ct = seal(key, Buffer.from(bytes), aad);
        const flipped = flipBit(ct, bit % (ct.length * 8));
        expect(() => open(key, flipped, aad)).toThrow(CryptoError);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses any single-bit flip in the IV, the tag or the encrypted bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.nat(2),
        (bytes, bit, which) => {
          const [v, ...parts] = seal(key, Buffer.from(bytes), aad).split(':');
          const raw = Buffer.from(parts[which] as string, 'base64url');
          const i = Math.floor(bit / 8) % raw.length;
          raw[i] = (raw[i] as number) ^ (1 << (bit % 8));
          parts[which] = raw.toString('base64url');
          expect(() => open(key, [v, ...parts].join(':'), aad)).toThrow(
            expect.objectContaining({ id: 'decryption_failed' }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a value sealed for another field or another data key (AAD)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 50 }),
        fc.constantFrom('rescue_cases.legal_name', 'rescue_cases.location', 'clients.phone'),
        fc.constantFrom('rescue_cases.legal_name', 'rescue_cases.location', 'clients.phone'),
        fc.uuid(),
        fc.uuid(),
        (text, fieldA, fieldB, keyA, keyB) => {
          fc.pre(fieldA !== fieldB || keyA !== keyB);
          const ct = seal(key, Buffer.from(text), fieldAad(keyA, fieldA));
          expect(() => open(key, ct, fieldAad(keyB, fieldB))).toThrow(
            expect.objectContaining({ id: 'decryption_failed' }),
          );
        },
      ),
    );
  });

  it('refuses a value under the wrong key with the same message as any other failure', () => {
    const ct = seal(key, Buffer.from('marker'), aad);
    expect(() => open(crypto.randomBytes(32), ct, aad)).toThrow(
      'Decryption failed: the value was altered, or belongs to another record, field or key.',
    );
  });

  it.each([
    ['an empty text', ''],
    ['another version', 'v2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:'],
    ['a missing part', 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    ['an extra part', 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA::'],
    ['a short IV', 'v1:AAAA:AAAAAAAAAAAAAAAAAAAAAA:'],
    ['padding', 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:'],
    ['standard base64', 'v1:AAAAAAAAAAAAAAA+:AAAAAAAAAAAAAAAAAAAAAA:'],
  ])('refuses %s as not a Passage ciphertext', (_name, text) => {
    expect(() => open(key, text, aad)).toThrow(expect.objectContaining({ id: 'invalid_ciphertext' }));
  });
});
