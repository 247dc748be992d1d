/** Errors of envelope encryption, each with a stable id. Messages carry key ids and fingerprints only. */
export type CryptoErrorId =
  | 'key_shredded'
  | 'data_key_not_found'
  | 'wrong_kek'
  | 'decryption_failed'
  | 'invalid_ciphertext';

export class CryptoError extends Error {
  override name = 'CryptoError';
  constructor(
    readonly id: CryptoErrorId,
    message: string,
  ) {
    super(message);
  }
}

/** The data key was destroyed (crypto-shredding): what it protected is gone for good. */
export class KeyShreddedError extends CryptoError {
  override name = 'KeyShreddedError';
  constructor(
    readonly keyId: string,
    readonly shreddedAt: Date,
  ) {
    super('key_shredded', `Data key ${keyId} was shredded on ${shreddedAt.toISOString()}; its data is gone.`);
  }
}

export class DataKeyNotFoundError extends CryptoError {
  override name = 'DataKeyNotFoundError';
  constructor(readonly keyId: string) {
    super('data_key_not_found', `No data key ${keyId}.`);
  }
}

/** The data key was wrapped by another key-encryption key than the one this process holds. */
export class WrongKekError extends CryptoError {
  override name = 'WrongKekError';
  constructor(
    readonly keyId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'wrong_kek',
      `Data key ${keyId} is wrapped by the key-encryption key with fingerprint ${expected}, ` +
        `but this process holds ${actual}. Check PASSAGE_KEK / PASSAGE_KEK_FILE.`,
    );
  }
}
