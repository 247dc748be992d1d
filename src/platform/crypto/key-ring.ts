import crypto from 'node:crypto';
import { and, asc, count, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { CryptoError, DataKeyNotFoundError, KeyShreddedError, WrongKekError } from './crypto.errors';
import { dataKeys } from './data-key.table';
import { fieldAad, KEY_BYTES, open, seal, wrapAad } from './envelope';
import { kekFingerprint } from './kek';
import { KEK_BYTES } from './kek-format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Field names are table.column style identifiers: they go into the AAD, never values. */
// A field name, optionally with the id of the row it belongs to, so a value cannot move between rows:
// `rescue_cases.legal_name` or `traveller:<uuid>:name`.
const FIELD = /^[a-z][a-z0-9_]*([.:][A-Za-z0-9_-]+)*$/;
const GROUP_TYPE = /^[a-z][a-z0-9_]*$/;
/** With the u flag a proper surrogate pair is one code point, so this matches only a lone half. */
const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function assertKek(kek: Buffer, what: string): void {
  if (!Buffer.isBuffer(kek) || kek.length !== KEK_BYTES) {
    throw new TypeError(`${what} must be ${KEK_BYTES} bytes`);
  }
}

function assertField(field: string): void {
  if (typeof field !== 'string' || field.length > 120 || !FIELD.test(field)) {
    throw new TypeError('field must be a name such as "rescue_cases.legal_name" or "traveller:<id>:name"');
  }
}

function toBuffer(plaintext: string | Buffer): Buffer {
  if (Buffer.isBuffer(plaintext)) return plaintext;
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string or a Buffer');
  // A lone surrogate would silently become U+FFFD in UTF-8: refuse rather than alter the value.
  if (LONE_SURROGATE.test(plaintext)) throw new TypeError('plaintext must be well-formed Unicode');
  return Buffer.from(plaintext, 'utf8');
}

/** A data key unwrapped for the fields of one record; use it for one request, do not keep it. */
export interface OpenDataKey {
  readonly keyId: string;
  encrypt(field: string, plaintext: string | Buffer): string;
  decrypt(field: string, ciphertext: string): string;
  decryptBuffer(field: string, ciphertext: string): Buffer;
}

/**
 * Envelope encryption: each group of S3/S4 fields (a rescue case) has its own random data key, stored
 * wrapped by the key-encryption key (KEK) this ring holds. Destroying the wrapped key (shredding)
 * destroys every field it protected, in every copy of the database made afterwards.
 * Nothing is cached across calls: a key shredded by another process is unusable here at once.
 */
export class KeyRing {
  readonly #kek: Buffer;
  readonly fingerprint: string;

  constructor(kek: Buffer) {
    assertKek(kek, 'the key-encryption key');
    this.#kek = Buffer.from(kek);
    this.fingerprint = kekFingerprint(this.#kek);
  }

  /** Re-wraps every live data key from one KEK to another; see {@link rotateKek}. */
  static rotateKek = rotateKek;

  /** Creates and stores a fresh data key for a group (e.g. 'rescue_case', its id); answers its id. */
  async createDataKey(db: Db, groupType: string, groupId: string): Promise<string> {
    if (!GROUP_TYPE.test(groupType)) throw new TypeError('groupType must be a name such as "rescue_case"');
    if (typeof groupId !== 'string' || groupId === '' || groupId.length > 200) {
      throw new TypeError('groupId must be a non-empty identifier');
    }
    const id = crypto.randomUUID();
    const key = crypto.randomBytes(KEY_BYTES);
    await db.insert(dataKeys).values({
      id,
      groupType,
      groupId,
      wrappedKey: seal(this.#kek, key, wrapAad(id)),
      kekFingerprint: this.fingerprint,
    });
    key.fill(0);
    return id;
  }

  /** Unwraps a data key once for several fields of the same record (one query instead of one per field). */
  async openDataKey(db: Db, keyId: string): Promise<OpenDataKey> {
    const key = await this.#unwrap(db, keyId);
    return {
      keyId,
      encrypt: (field, plaintext) => {
        assertField(field);
        return seal(key, toBuffer(plaintext), fieldAad(keyId, field));
      },
      decrypt: (field, ciphertext) => decodeUtf8(this.#open(key, keyId, field, ciphertext)),
      decryptBuffer: (field, ciphertext) => this.#open(key, keyId, field, ciphertext),
    };
  }

  async encryptField(db: Db, keyId: string, field: string, plaintext: string | Buffer): Promise<string> {
    assertField(field);
    const data = toBuffer(plaintext);
    const key = await this.#unwrap(db, keyId);
    try {
      return seal(key, data, fieldAad(keyId, field));
    } finally {
      key.fill(0);
    }
  }

  /** Decrypts a field written from a string. Throws KeyShreddedError once the key is shredded. */
  async decryptField(db: Db, keyId: string, field: string, ciphertext: string): Promise<string> {
    return decodeUtf8(await this.decryptFieldBuffer(db, keyId, field, ciphertext));
  }

  async decryptFieldBuffer(db: Db, keyId: string, field: string, ciphertext: string): Promise<Buffer> {
    const key = await this.#unwrap(db, keyId);
    try {
      return this.#open(key, keyId, field, ciphertext);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Crypto-shredding: destroys the wrapped key and keeps the row as the record of when and why.
   * `reason` is stored in clear: a category ("retention elapsed after safe arrival"), never a name.
   * Answers false when the key was already shredded. Backups made before still hold the wrapped key;
   * they become unreadable when the KEK that wrapped it is rotated away and destroyed.
   */
  async shredDataKey(db: Db, keyId: string, reason: string): Promise<{ shredded: boolean }> {
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 200) {
      throw new TypeError('reason must be a short description (1 to 200 characters)');
    }
    if (!UUID.test(keyId)) throw new DataKeyNotFoundError(keyId);
    const done = await db
      .update(dataKeys)
      .set({ wrappedKey: null, shreddedAt: sql`now()`, shredReason: reason.trim() })
      .where(and(eq(dataKeys.id, keyId), isNull(dataKeys.shreddedAt)))
      .returning({ id: dataKeys.id });
    if (done.length > 0) return { shredded: true };
    const [row] = await db.select({ id: dataKeys.id }).from(dataKeys).where(eq(dataKeys.id, keyId));
    if (!row) throw new DataKeyNotFoundError(keyId);
    return { shredded: false };
  }

  /** Counts for `passage keys status`: live and shredded keys, and live keys this KEK cannot unwrap. */
  async status(db: Db): Promise<KeyStatus> {
    const rows = await db
      .select({
        fingerprint: dataKeys.kekFingerprint,
        shredded: isNotNull(dataKeys.shreddedAt).mapWith(Boolean),
        n: count(),
      })
      .from(dataKeys)
      .groupBy(dataKeys.kekFingerprint, isNotNull(dataKeys.shreddedAt));
    const result: KeyStatus = {
      fingerprint: this.fingerprint,
      live: 0,
      shredded: 0,
      mismatched: 0,
      others: [],
    };
    for (const row of rows) {
      if (row.shredded) {
        result.shredded += row.n;
        continue;
      }
      result.live += row.n;
      if (row.fingerprint !== this.fingerprint) {
        result.mismatched += row.n;
        result.others.push(row.fingerprint);
      }
    }
    // A matching fingerprint could still hide a corrupt key: unwrap one to prove the KEK works.
    const [sample] = await db
      .select({ id: dataKeys.id })
      .from(dataKeys)
      .where(and(isNull(dataKeys.shreddedAt), eq(dataKeys.kekFingerprint, this.fingerprint)))
      .limit(1);
    if (sample) (await this.#unwrap(db, sample.id)).fill(0);
    return result;
  }

  #open(key: Buffer, keyId: string, field: string, ciphertext: string): Buffer {
    assertField(field);
    return open(key, ciphertext, fieldAad(keyId, field));
  }

  async #unwrap(db: Db, keyId: string): Promise<Buffer> {
    if (typeof keyId !== 'string' || !UUID.test(keyId)) throw new DataKeyNotFoundError(String(keyId));
    const [row] = await db
      .select({
        wrappedKey: dataKeys.wrappedKey,
        kekFingerprint: dataKeys.kekFingerprint,
        shreddedAt: dataKeys.shreddedAt,
      })
      .from(dataKeys)
      .where(eq(dataKeys.id, keyId));
    if (!row) throw new DataKeyNotFoundError(keyId);
    if (row.shreddedAt || row.wrappedKey === null)
      throw new KeyShreddedError(keyId, row.shreddedAt ?? new Date(0));
    if (row.kekFingerprint !== this.fingerprint)
      throw new WrongKekError(keyId, row.kekFingerprint, this.fingerprint);
    return unwrapWith(this.#kek, keyId, row.wrappedKey);
  }

  /** Never print the KEK, even by accident (console.log, JSON, error reporters). */
  toJSON(): { fingerprint: string } {
    return { fingerprint: this.fingerprint };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing { fingerprint: '${this.fingerprint}' }`;
  }
}

export interface KeyStatus {
  /** Fingerprint of the KEK this process holds. */
  fingerprint: string;
  live: number;
  shredded: number;
  /** Live keys wrapped by another KEK (unreadable with this one). */
  mismatched: number;
  /** The fingerprints of those other KEKs. */
  others: string[];
}

function decodeUtf8(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new CryptoError(
      'decryption_failed',
      'The decrypted value is not text; read it with decryptFieldBuffer.',
    );
  }
}

function unwrapWith(kek: Buffer, keyId: string, wrappedKey: string): Buffer {
  let key: Buffer;
  try {
    key = open(kek, wrappedKey, wrapAad(keyId));
  } catch {
    throw new CryptoError('decryption_failed', `Data key ${keyId} cannot be unwrapped: it is corrupt.`);
  }
  if (key.length !== KEY_BYTES) throw new CryptoError('decryption_failed', `Data key ${keyId} is corrupt.`);
  return key;
}

const ROTATE_BATCH = 500;

/**
 * Re-wraps every live data key from `oldKek` to `newKek` in one transaction; field ciphertexts are not
 * touched (the data keys do not change). Keys already under `newKek` are left alone, so running it
 * again after swapping the KEK picks up any key another process created meanwhile. Refuses, changing
 * nothing, when a live key is wrapped by a third KEK.
 */
export async function rotateKek(
  db: Db,
  oldKek: Buffer,
  newKek: Buffer,
  options: { batchSize?: number } = {},
): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  const batchSize = options.batchSize ?? ROTATE_BATCH;
  assertKek(oldKek, 'the old key-encryption key');
  assertKek(newKek, 'the new key-encryption key');
  if (oldKek.equals(newKek)) throw new TypeError('the new key-encryption key is the same as the old one');
  const oldFp = kekFingerprint(oldKek);
  const newFp = kekFingerprint(newKek);
  return db.transaction(async (tx) => {
    // Holds off new keys and shredding (reads go on) so the scan sees one consistent set.
    await tx.execute(sql`lock table data_keys in exclusive mode`);
    let rewrapped = 0;
    let alreadyCurrent = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch = await tx
        .select({ id: dataKeys.id, wrappedKey: dataKeys.wrappedKey, kekFingerprint: dataKeys.kekFingerprint })
        .from(dataKeys)
        .where(and(isNull(dataKeys.shreddedAt), gt(dataKeys.id, after)))
        .orderBy(asc(dataKeys.id))
        .limit(batchSize);
      if (batch.length === 0) break;
      after = (batch.at(-1) as (typeof batch)[number]).id;
      const updates: { id: string; wrapped: string }[] = [];
      for (const row of batch) {
        if (row.kekFingerprint === newFp) {
          alreadyCurrent += 1;
          continue;
        }
        if (row.kekFingerprint !== oldFp || row.wrappedKey === null) {
          throw new WrongKekError(row.id, row.kekFingerprint, oldFp);
        }
        const key = unwrapWith(oldKek, row.id, row.wrappedKey);
        updates.push({ id: row.id, wrapped: seal(newKek, key, wrapAad(row.id)) });
        key.fill(0);
      }
      if (updates.length > 0) {
        const values = sql.join(
          updates.map((u) => sql`(${u.id}::uuid, ${u.wrapped})`),
          sql`, `,
        );
        await tx.execute(sql`
          update data_keys as d set wrapped_key = v.wrapped, kek_fingerprint = ${newFp}
          from (values ${values}) as v(id, wrapped)
          where d.id = v.id and d.shredded_at is null`);
        rewrapped += updates.length;
      }
    }
    return { rewrapped, alreadyCurrent };
  });
}
