import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config';
import { kekFingerprint, loadKek, readKekFile, writeNewKekFile } from './kek';

const folders: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-kek-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const KEK = Buffer.alloc(32, 7);
const base = { NODE_ENV: 'development' as const, PASSAGE_KEK: undefined, PASSAGE_KEK_FILE: undefined };

describe('loadKek', () => {
  it('reads PASSAGE_KEK in standard or URL-safe base64', () => {
    const dataDir = tempDir();
    for (const text of [KEK.toString('base64'), KEK.toString('base64url')]) {
      const loaded = loadKek({ ...base, dataDir, PASSAGE_KEK: text });
      expect(loaded.kek.equals(KEK)).toBe(true);
      expect(loaded).toMatchObject({
        source: 'PASSAGE_KEK',
        created: false,
        fingerprint: kekFingerprint(KEK),
      });
    }
    expect(fs.existsSync(path.join(dataDir, 'kek'))).toBe(false);
  });

  it('refuses a malformed PASSAGE_KEK without repeating the value', () => {
    const secret = Buffer.alloc(16, 9).toString('base64');
    const attempt = () => loadKek({ ...base, dataDir: tempDir(), PASSAGE_KEK: secret });
    expect(attempt).toThrow(new ConfigError('PASSAGE_KEK must be 32 random bytes in base64 (got 16 bytes)'));
    expect(() => loadKek({ ...base, dataDir: tempDir(), PASSAGE_KEK: 'not base64!!' })).toThrow(
      'PASSAGE_KEK must be 32 random bytes in base64 (got text that is not base64)',
    );
  });

  it('reports a bad PASSAGE_KEK at configuration time, never echoing it', () => {
    const secret = 'c2VjcmV0LXZhbHVlLXRoYXQtaXMtdG9vLXNob3J0';
    expect(() => loadConfig({ PASSAGE_KEK: secret })).toThrow(
      /^PASSAGE_KEK must be 32 random bytes in base64 \(got 30 bytes\)$/,
    );
    try {
      loadConfig({ PASSAGE_KEK: secret });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
    expect(loadConfig({ PASSAGE_KEK: KEK.toString('base64') }).PASSAGE_KEK).toBe(KEK.toString('base64'));
  });

  it('reads PASSAGE_KEK_FILE and names the file when it is missing or malformed', () => {
    const dir = tempDir();
    const file = path.join(dir, 'kek.b64');
    fs.writeFileSync(file, `${KEK.toString('base64')}\n`);
    expect(loadKek({ ...base, dataDir: dir, PASSAGE_KEK_FILE: file })).toMatchObject({
      source: 'PASSAGE_KEK_FILE',
      file,
      fingerprint: kekFingerprint(KEK),
    });
    expect(() => loadKek({ ...base, dataDir: dir, PASSAGE_KEK_FILE: path.join(dir, 'absent') })).toThrow(
      `PASSAGE_KEK_FILE must name a readable file (got ${JSON.stringify(path.join(dir, 'absent'))}: no such file)`,
    );
    fs.writeFileSync(file, 'c2hvcnQ=');
    expect(() => readKekFile(file)).toThrow(
      /^PASSAGE_KEK_FILE must hold 32 random bytes in base64 \(got 5 bytes in /,
    );
  });

  it('refuses PASSAGE_KEK and PASSAGE_KEK_FILE together', () => {
    expect(() =>
      loadKek({ ...base, dataDir: tempDir(), PASSAGE_KEK: KEK.toString('base64'), PASSAGE_KEK_FILE: '/x' }),
    ).toThrow('PASSAGE_KEK and PASSAGE_KEK_FILE are both set; set only one of them');
  });

  it('creates <dataDir>/kek with mode 0600 on first start, says so once, and reuses it', () => {
    const dataDir = tempDir();
    const first = loadKek({ ...base, dataDir });
    expect(first).toMatchObject({ source: 'data-folder', created: true, file: path.join(dataDir, 'kek') });
    expect(fs.statSync(path.join(dataDir, 'kek')).mode & 0o777).toBe(0o600);
    const second = loadKek({ ...base, dataDir });
    expect(second.created).toBe(false);
    expect(second.kek.equals(first.kek)).toBe(true);
  });

  it('does not create a KEK when asked not to (maintenance commands)', () => {
    const dataDir = tempDir();
    expect(() => loadKek({ ...base, dataDir }, { create: false })).toThrow(/^No key-encryption key/);
    expect(fs.existsSync(path.join(dataDir, 'kek'))).toBe(false);
  });

  it('refuses to run in production without PASSAGE_KEK or PASSAGE_KEK_FILE, even with a data-folder key', () => {
    const dataDir = tempDir();
    loadKek({ ...base, dataDir });
    expect(() => loadKek({ ...base, NODE_ENV: 'production', dataDir })).toThrow(
      /^PASSAGE_KEK or PASSAGE_KEK_FILE must be set in production/,
    );
  });

  it('writes a new KEK file with mode 0600 and never overwrites one', () => {
    const file = path.join(tempDir(), 'new.kek');
    const { fingerprint } = writeNewKekFile(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(kekFingerprint(readKekFile(file))).toBe(fingerprint);
    expect(() => writeNewKekFile(file)).toThrow(/EEXIST/);
  });
});
