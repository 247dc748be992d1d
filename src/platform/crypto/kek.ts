import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError } from '../config/config';
import { loadOrCreateSecretFile } from '../config/secret-file';
import { decodeKek, KEK_BYTES } from './kek-format';

/**
 * Where the key-encryption key (KEK) comes from. It wraps every data key and is never written to the
 * database: with the KEK on another medium, a copy of the database alone reveals no S3/S4 field.
 */
export interface LoadedKek {
  kek: Buffer;
  /** Safe to print and log: identifies the KEK without revealing it. */
  fingerprint: string;
  source: 'PASSAGE_KEK' | 'PASSAGE_KEK_FILE' | 'data-folder';
  /** The file it was read from (PASSAGE_KEK_FILE or the data folder's `kek`). */
  file?: string;
  /** True when this start created `<dataDir>/kek`: the start banner should tell the operator. */
  created: boolean;
}

export type KekConfig = Pick<Config, 'NODE_ENV' | 'PASSAGE_KEK' | 'PASSAGE_KEK_FILE' | 'dataDir'>;

/** Name of the KEK file the embedded default keeps in the data folder. */
export const DATA_FOLDER_KEK_FILE = 'kek';

/**
 * First 8 bytes of a SHA-256 over the KEK, with a label so the value cannot be confused with any other
 * digest of the same bytes. Stored beside each wrapped key to tell "wrong KEK" from "corrupt key".
 */
export function kekFingerprint(kek: Buffer): string {
  return crypto
    .createHash('sha256')
    .update('passage kek fingerprint v1\0')
    .update(kek)
    .digest('hex')
    .slice(0, 16);
}

export function generateKek(): Buffer {
  return crypto.randomBytes(KEK_BYTES);
}

/** Reads a KEK file (base64 text). `label` names the setting or option in the error. */
export function readKekFile(file: string, label = 'PASSAGE_KEK_FILE'): Buffer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new ConfigError(`${label} must name a readable file (got ${JSON.stringify(file)}: ${why})`);
  }
  const decoded = decodeKek(text);
  if (!decoded.ok) {
    throw new ConfigError(`${label} must hold 32 random bytes in base64 (${decoded.problem} in ${file})`);
  }
  return decoded.key;
}

/**
 * The KEK from PASSAGE_KEK (base64) or PASSAGE_KEK_FILE; in the embedded default with neither, from
 * `<dataDir>/kek`, created with mode 0600 on first start. Refuses production without an explicit KEK:
 * a KEK in the data folder travels with the database in a seized disk or a careless copy.
 */
export function loadKek(config: KekConfig, options: { create?: boolean } = {}): LoadedKek {
  if (config.PASSAGE_KEK && config.PASSAGE_KEK_FILE) {
    throw new ConfigError('PASSAGE_KEK and PASSAGE_KEK_FILE are both set; set only one of them');
  }
  if (config.PASSAGE_KEK) {
    const decoded = decodeKek(config.PASSAGE_KEK);
    // The value is a secret: describe the problem, never echo it.
    if (!decoded.ok)
      throw new ConfigError(`PASSAGE_KEK must be 32 random bytes in base64 (${decoded.problem})`);
    return {
      kek: decoded.key,
      fingerprint: kekFingerprint(decoded.key),
      source: 'PASSAGE_KEK',
      created: false,
    };
  }
  if (config.PASSAGE_KEK_FILE) {
    const kek = readKekFile(config.PASSAGE_KEK_FILE);
    return {
      kek,
      fingerprint: kekFingerprint(kek),
      source: 'PASSAGE_KEK_FILE',
      file: config.PASSAGE_KEK_FILE,
      created: false,
    };
  }
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(
      'PASSAGE_KEK or PASSAGE_KEK_FILE must be set in production (32 random bytes in base64, e.g. ' +
        '`openssl rand -base64 32`, kept apart from the database and its backups)',
    );
  }
  // Commands other than `start` must not mint a new KEK beside a database whose keys need the old one.
  const file = path.join(config.dataDir, DATA_FOLDER_KEK_FILE);
  if (options.create === false && !fs.existsSync(file)) {
    throw new ConfigError(
      `No key-encryption key: set PASSAGE_KEK or PASSAGE_KEK_FILE, or start Passage once to create ${file}`,
    );
  }
  const secret = loadOrCreateSecretFile(config.dataDir, DATA_FOLDER_KEK_FILE, KEK_BYTES);
  const decoded = decodeKek(secret.value);
  if (!decoded.ok) {
    throw new ConfigError(`${secret.file} must hold 32 random bytes in base64 (${decoded.problem})`);
  }
  return {
    kek: decoded.key,
    fingerprint: kekFingerprint(decoded.key),
    source: 'data-folder',
    file: secret.file,
    created: secret.created,
  };
}

/** One line for the start banner when the KEK file was just created, else null. */
export function kekBannerLine(loaded: LoadedKek): string | null {
  if (!loaded.created) return null;
  return (
    `  Created the key-encryption key ${loaded.file} (mode 0600). Back it up apart from the database: ` +
    'without it encrypted fields cannot be read.'
  );
}

/** Writes a fresh random KEK (base64) to a new file with mode 0600; refuses to overwrite. */
export function writeNewKekFile(file: string): { fingerprint: string } {
  const kek = generateKek();
  fs.writeFileSync(file, `${kek.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { fingerprint: kekFingerprint(kek) };
}
