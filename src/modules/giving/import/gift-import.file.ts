/**
 * The checked file between a run's check and its commit, held in the database (`import_files`) so that a
 * commit can reach any process on it, and survive a restart. Never on disk in clear, never in memory beyond
 * a request: the CSV is gzipped (in the thread pool, while the check reads it) and sealed with a data key
 * made for the run (platform/crypto), so a copy of the database reveals no donor without the key-encryption
 * key. Discarding a file deletes its row and shreds its key (the key's row stays as the record of when and
 * why): at commit, in the commit's transaction; at expiry, by the sweep (giving.module.ts); and, oldest first,
 * when all held files together pass IMPORT_FILES_MAX_CHARS.
 */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { and, desc, eq, gt, lte } from 'drizzle-orm';
import type { KeyRing } from '../../../platform/crypto/key-ring';
import type { Db } from '../../../platform/db/client';
import { importFiles } from './gift-import.table';

/** How long a checked file waits for its commit. */
export const IMPORT_FILE_HOLD_MS = 15 * 60_000;
/** The most all held files may take together (sealed, so about 4/3 of their gzipped size). */
export const IMPORT_FILES_MAX_CHARS = 256 * 1024 * 1024;
/** The data keys' group (data_keys.group_type). */
const KEY_GROUP = 'import_file';

export const DISCARDED = {
  committed: 'import committed',
  expired: 'import file expired',
  overLimit: 'import files over their limit',
} as const;

const gzip = promisify(zlib.gzip);

/** The file gzipped, off the main thread; start it before reading the file, await it after. */
export function compressImportFile(text: string): Promise<Buffer> {
  // Level 4: most of level 6's saving on CSV for about half its time.
  return gzip(Buffer.from(text, 'utf8'), { level: 4 });
}

const fileField = (runId: string) => `import_file:${runId}:csv`;
const settingsField = (runId: string) => `import_file:${runId}:settings`;

export interface HoldImportFile<S> {
  runId: string;
  heldBy: string | null;
  /** From compressImportFile. */
  gzipped: Buffer;
  settings: S;
  now?: Date;
  /** The limit of all held files together (default IMPORT_FILES_MAX_CHARS). */
  maxChars?: number;
}

/** Holds a checked file for its commit, in the transaction that records its run. */
export async function holdImportFile<S>(tx: Db, keys: KeyRing, input: HoldImportFile<S>): Promise<void> {
  const now = input.now ?? new Date();
  const dataKeyId = await keys.createDataKey(tx, KEY_GROUP, input.runId);
  const key = await keys.openDataKey(tx, dataKeyId);
  const file = key.encrypt(fileField(input.runId), input.gzipped);
  await tx.insert(importFiles).values({
    runId: input.runId,
    dataKeyId,
    heldBy: input.heldBy,
    file,
    settings: key.encrypt(settingsField(input.runId), JSON.stringify(input.settings)),
    storedBytes: file.length,
    expiresAt: new Date(now.getTime() + IMPORT_FILE_HOLD_MS),
  });
  // A burst of uploads cannot grow the database without bound: the oldest files go first. A file a running
  // commit holds (locked until it is gone with the commit) is passed over, never waited for.
  const held = await tx
    .select({ runId: importFiles.runId, storedBytes: importFiles.storedBytes })
    .from(importFiles)
    .orderBy(desc(importFiles.createdAt), desc(importFiles.runId))
    .for('update', { skipLocked: true });
  let total = 0;
  for (const f of held) {
    total += f.storedBytes;
    if (total > (input.maxChars ?? IMPORT_FILES_MAX_CHARS) && f.runId !== input.runId)
      await discardImportFile(tx, keys, f.runId, DISCARDED.overLimit);
  }
}

/** Who holds a run's file and until when, without opening it; null when no file is held (or it expired). */
export async function heldImportFile(db: Db, runId: string, now = new Date()) {
  const [row] = await db
    .select({
      runId: importFiles.runId,
      dataKeyId: importFiles.dataKeyId,
      heldBy: importFiles.heldBy,
      expiresAt: importFiles.expiresAt,
    })
    .from(importFiles)
    .where(and(eq(importFiles.runId, runId), gt(importFiles.expiresAt, now)));
  return row ?? null;
}

/**
 * Opens a held file: its check's choices, and the CSV as a stream of chunks gunzipped as they are read (the
 * whole text is never in memory at once). Null when the file went meanwhile.
 */
export async function openImportFile<S>(
  db: Db,
  keys: KeyRing,
  runId: string,
): Promise<{ settings: S; source: AsyncIterable<Buffer> } | null> {
  const [row] = await db.select().from(importFiles).where(eq(importFiles.runId, runId));
  if (!row) return null;
  const key = await keys.openDataKey(db, row.dataKeyId);
  const gzipped = key.decryptBuffer(fileField(runId), row.file);
  const settings = JSON.parse(key.decrypt(settingsField(runId), row.settings)) as S;
  return { settings, source: Readable.from([gzipped]).pipe(zlib.createGunzip()) };
}

/** Deletes a run's file and shreds its key; answers whether there was one. */
export async function discardImportFile(
  tx: Db,
  keys: KeyRing,
  runId: string,
  reason: string,
): Promise<boolean> {
  const [gone] = await tx
    .delete(importFiles)
    .where(eq(importFiles.runId, runId))
    .returning({ dataKeyId: importFiles.dataKeyId });
  if (!gone) return false;
  await keys.shredDataKey(tx, gone.dataKeyId, reason);
  return true;
}

/** Discards every file past its time (the sweep); each in a transaction of its own. Answers their run ids. */
export async function discardExpiredImportFiles(db: Db, keys: KeyRing, now = new Date()): Promise<string[]> {
  const expired = await db
    .select({ runId: importFiles.runId })
    .from(importFiles)
    .where(lte(importFiles.expiresAt, now));
  const discarded: string[] = [];
  for (const { runId } of expired) {
    const gone = await db.transaction(async (tx) => {
      // Checked again under the row's lock: a commit may have taken the file meanwhile (one running holds the
      // lock, and is passed over).
      const [still] = await tx
        .select({ runId: importFiles.runId })
        .from(importFiles)
        .where(and(eq(importFiles.runId, runId), lte(importFiles.expiresAt, now)))
        .for('update', { skipLocked: true });
      return still ? discardImportFile(tx, keys, runId, DISCARDED.expired) : false;
    });
    if (gone) discarded.push(runId);
  }
  return discarded;
}
