import crypto from 'node:crypto';
import util from 'node:util';
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness/databases';
import { CryptoError, DataKeyNotFoundError, KeyShreddedError, WrongKekError } from './crypto.errors';
import { dataKeys } from './data-key.table';
import { fieldAad, open, wrapAad } from './envelope';
import { KeyRing, rotateKek } from './key-ring';

const NAME = 'rescue_cases.legal_name';
const PLACE = 'rescue_cases.current_location';

describe('KeyRing', () => {
  it('refuses a KEK that is not 32 bytes, and never shows its KEK when printed', () => {
    expect(() => new KeyRing(Buffer.alloc(16))).toThrow('the key-encryption key must be 32 bytes');
    const kek = crypto.randomBytes(32);
    const ring = new KeyRing(kek);
    const shown = `${JSON.stringify(ring)} ${util.inspect(ring)}`;
    for (const form of [kek.toString('hex'), kek.toString('base64'), kek.toString('base64url')]) {
      expect(shown).not.toContain(form);
    }
  });
});

describeEachDatabase('KeyRing', (getDb) => {
  const kek = crypto.randomBytes(32);
  const ring = new KeyRing(kek);

  it('encrypts and decrypts strings and buffers under a per-group data key', async () => {
    const { db } = getDb();
    const keyId = await ring.createDataKey(db, 'rescue_case', 'case-1');
    const ct = await ring.encryptField(db, keyId, NAME, '김영희 Kim Young-hee');
    expect(ct).toMatch(/^v1:/);
    expect(await ring.decryptField(db, keyId, NAME, ct)).toBe('김영희 Kim Young-hee');
    const photo = crypto.randomBytes(5000);
    const photoCt = await ring.encryptField(db, keyId, 'rescue_cases.photo', photo);
    expect((await ring.decryptFieldBuffer(db, keyId, 'rescue_cases.photo', photoCt)).equals(photo)).toBe(
      true,
    );
    const [row] = await db.select().from(dataKeys).where(eq(dataKeys.id, keyId));
    expect(row).toMatchObject({
      groupType: 'rescue_case',
      groupId: 'case-1',
      kekFingerprint: ring.fingerprint,
    });
  });

  it('round-trips arbitrary strings and bytes through a stored data key', async () => {
    const { db } = getDb();
    const keyId = await ring.createDataKey(db, 'rescue_case', 'case-prop');
    const key = await ring.openDataKey(db, keyId);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(key.decrypt(NAME, key.encrypt(NAME, text))).toBe(text);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        expect(
          key.decryptBuffer(NAME, key.encrypt(NAME, Buffer.from(bytes))).equals(Buffer.from(bytes)),
        ).toBe(true);
      }),
    );
    // Spot-check that the async API agrees with the opened key.
    const ct = await ring.encryptField(db, keyId, NAME, 'same');
    expect(key.decrypt(NAME, ct)).toBe('same');
  });

  it('refuses a value moved to another field or another record', async () => {
    const { db } = getDb();
    const a = await ring.createDataKey(db, 'rescue_case', 'case-a');
    const b = await ring.createDataKey(db, 'rescue_case', 'case-b');
    const ct = await ring.encryptField(db, a, NAME, 'marker');
    await expect(ring.decryptField(db, a, PLACE, ct)).rejects.toMatchObject({ id: 'decryption_failed' });
    await expect(ring.decryptField(db, b, NAME, ct)).rejects.toMatchObject({ id: 'decryption_failed' });
    await expect(ring.decryptField(db, a, NAME, ct)).resolves.toBe('marker');
  });

  it('refuses lone surrogates instead of altering them, and field names that are not identifiers', async () => {
    const { db } = getDb();
    const keyId = await ring.createDataKey(db, 'rescue_case', 'case-c');
    await expect(ring.encryptField(db, keyId, NAME, 'a\ud800b')).rejects.toThrow(
      'plaintext must be well-formed Unicode',
    );
    await expect(ring.encryptField(db, keyId, 'Legal Name', 'x')).rejects.toThrow(/^field must be a name/);
  });

  it('tells a wrong KEK apart from a missing key', async () => {
    const { db } = getDb();
    const keyId = await ring.createDataKey(db, 'rescue_case', 'case-d');
    const ct = await ring.encryptField(db, keyId, NAME, 'x');
    const other = new KeyRing(crypto.randomBytes(32));
    await expect(other.decryptField(db, keyId, NAME, ct)).rejects.toBeInstanceOf(WrongKekError);
    await expect(ring.decryptField(db, crypto.randomUUID(), NAME, ct)).rejects.toBeInstanceOf(
      DataKeyNotFoundError,
    );
    await expect(ring.decryptField(db, 'not-a-uuid', NAME, ct)).rejects.toBeInstanceOf(DataKeyNotFoundError);
  });

  it('shreds a key: later reads throw KeyShreddedError and the row records when and why', async () => {
    const { db } = getDb();
    const keyId = await ring.createDataKey(db, 'rescue_case', 'case-e');
    const ct = await ring.encryptField(db, keyId, NAME, 'x');
    expect(await ring.shredDataKey(db, keyId, 'retention elapsed after safe arrival')).toEqual({
      shredded: true,
    });
    expect(await ring.shredDataKey(db, keyId, 'again')).toEqual({ shredded: false });
    await expect(ring.decryptField(db, keyId, NAME, ct)).rejects.toBeInstanceOf(KeyShreddedError);
    await expect(ring.encryptField(db, keyId, NAME, 'y')).rejects.toMatchObject({ id: 'key_shredded' });
    await expect(ring.shredDataKey(db, crypto.randomUUID(), 'x')).rejects.toBeInstanceOf(
      DataKeyNotFoundError,
    );
    const [row] = await db.select().from(dataKeys).where(eq(dataKeys.id, keyId));
    expect(row?.wrappedKey).toBeNull();
    expect(row?.shreddedAt).toBeInstanceOf(Date);
    expect(row?.shredReason).toBe('retention elapsed after safe arrival');
  });

  it('after shredding, the marker cannot be recovered with the KEK and every remaining key, nor found in the rows', async () => {
    const { db, handle } = getDb();
    const marker = `CANARY-${crypto.randomUUID()}`;
    const victim = await ring.createDataKey(db, 'rescue_case', 'case-shred');
    const neighbour = await ring.createDataKey(db, 'rescue_case', 'case-neighbour');
    await ring.encryptField(db, neighbour, NAME, 'someone else');
    const ct = await ring.encryptField(db, victim, NAME, marker);
    const [before] = await db.select().from(dataKeys).where(eq(dataKeys.id, victim));
    const victimKey = open(kek, before?.wrappedKey as string, wrapAad(victim));
    await ring.shredDataKey(db, victim, 'case closed');

    // Every key the KEK can still unwrap, tried against the ciphertext with either record's AAD.
    const live = await db.select().from(dataKeys).where(sql`${dataKeys.wrappedKey} is not null`);
    expect(live.length).toBeGreaterThan(0);
    for (const row of live) {
      const key = open(kek, row.wrappedKey as string, wrapAad(row.id));
      for (const aad of [fieldAad(victim, NAME), fieldAad(row.id, NAME)]) {
        expect(() => open(key, ct, aad)).toThrow(CryptoError);
      }
      expect(() => open(kek, ct, fieldAad(victim, NAME))).toThrow(CryptoError);
    }
    await expect(ring.decryptField(db, victim, NAME, ct)).rejects.toBeInstanceOf(KeyShreddedError);

    // A plaintext scan of the table: neither the marker nor the victim's key in any encoding.
    const dump = JSON.stringify((await handle.query('select * from data_keys')).rows);
    for (const needle of [
      marker,
      Buffer.from(marker).toString('base64'),
      Buffer.from(marker).toString('hex'),
      victimKey.toString('hex'),
      victimKey.toString('base64url'),
      before?.wrappedKey as string,
    ]) {
      expect(dump).not.toContain(needle);
    }
  });

  it('keeps data key rows: no delete, no truncate, no revival after shredding', async () => {
    const { db, handle } = getDb();
    const keyId = await ring.createDataKey(db, 'rescue_case', 'case-f');
    await expect(handle.query('delete from data_keys where id = $1', [keyId])).rejects.toThrow(
      /DELETE is not allowed/,
    );
    await expect(handle.query('truncate data_keys')).rejects.toThrow(/TRUNCATE is not allowed/);
    await expect(
      handle.query(`update data_keys set group_id = 'other' where id = $1`, [keyId]),
    ).rejects.toThrow(/never change/);
    await ring.shredDataKey(db, keyId, 'test');
    await expect(
      handle.query(
        `update data_keys set wrapped_key = 'v1:x', shredded_at = null, shred_reason = null where id = $1`,
        [keyId],
      ),
    ).rejects.toThrow(/is shredded and cannot change/);
  });

  it('rotates the KEK: every live key re-wrapped in one go, fields untouched, old KEK refused', async () => {
    const { db } = getDb();
    const oldKek = crypto.randomBytes(32);
    const newKek = crypto.randomBytes(32);
    const oldRing = new KeyRing(oldKek);
    const ids = await Promise.all(
      Array.from({ length: 7 }, (_, i) => oldRing.createDataKey(db, 'rescue_case', `rot-${i}`)),
    );
    const cts = await Promise.all(ids.map((id, i) => oldRing.encryptField(db, id, NAME, `person ${i}`)));
    const shredded = ids[6] as string;
    await oldRing.shredDataKey(db, shredded, 'closed');
    // Keys under the ring of the other tests use a third KEK: rotation refuses and changes nothing.
    await expect(rotateKek(db, oldKek, newKek)).rejects.toBeInstanceOf(WrongKekError);
    expect(await oldRing.decryptField(db, ids[0] as string, NAME, cts[0] as string)).toBe('person 0');
    // Move those keys to oldKek first, so the whole table is under one KEK again.
    await rotateKek(db, kek, oldKek);
    const result = await KeyRing.rotateKek(db, oldKek, newKek, { batchSize: 2 });
    expect(result.rewrapped).toBeGreaterThanOrEqual(6);
    expect(result.alreadyCurrent).toBe(0);
    const newRing = new KeyRing(newKek);
    for (const [i, id] of ids.slice(0, 6).entries()) {
      expect(await newRing.decryptField(db, id, NAME, cts[i] as string)).toBe(`person ${i}`);
      await expect(oldRing.decryptField(db, id, NAME, cts[i] as string)).rejects.toBeInstanceOf(
        WrongKekError,
      );
    }
    await expect(newRing.decryptField(db, shredded, NAME, cts[6] as string)).rejects.toBeInstanceOf(
      KeyShreddedError,
    );
    expect(await KeyRing.rotateKek(db, oldKek, newKek)).toEqual({
      rewrapped: 0,
      alreadyCurrent: result.rewrapped,
    });
    const status = await newRing.status(db);
    expect(status).toMatchObject({ mismatched: 0, live: result.rewrapped });
    expect(status.shredded).toBeGreaterThanOrEqual(1);
    expect(await oldRing.status(db)).toMatchObject({
      mismatched: result.rewrapped,
      others: [newRing.fingerprint],
    });
    // Give the table back to the suite's ring.
    await rotateKek(db, newKek, kek);
    await expect(rotateKek(db, kek, kek)).rejects.toThrow(
      'the new key-encryption key is the same as the old one',
    );
  });
});
