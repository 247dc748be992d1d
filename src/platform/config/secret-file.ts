import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Reads a secret kept in a file of the data folder, creating it (random, mode 0600) on first use.
 * Used when the environment gives no secret, so the embedded default needs no configuration.
 */
export function loadOrCreateSecretFile(
  dataDir: string,
  name: string,
  bytes = 32,
): { value: string; created: boolean; file: string } {
  const file = path.join(dataDir, name);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return { value: fs.readFileSync(file, 'utf8').trim(), created: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = crypto.randomBytes(bytes).toString('base64url');
  // 'wx' fails if another process created it first; then that one's value wins.
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: fs.readFileSync(file, 'utf8').trim(), created: false, file };
  }
}
