import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness/databases';
import type { AuditEntryInput } from './audit.schema';
import {
  type AuditRecord,
  appendAudit,
  auditEntryHash,
  GENESIS_HASH,
  searchAudit,
  verifyAuditChain,
} from './audit.service';
import { auditLog } from './audit.table';

const entry = (over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actorId: 'user-1',
  actorRole: 'case_officer',
  action: 'rescue_case.read',
  resourceType: 'rescue_case',
  resourceCode: 'RC-AMBER-FOX',
  outcome: 'allowed',
  requestId: 'req-1',
  ...over,
});

describe('auditEntryHash', () => {
  it('changes with every field and with the previous hash', () => {
    const base = {
      seq: 1,
      at: new Date('2025-01-01T00:00:00.000Z'),
      actorId: 'u',
      actorRole: 'r',
      action: 'a.b',
      resourceType: 't',
      resourceCode: 'c',
      outcome: 'allowed' as const,
      requestId: null,
    };
    const h = auditEntryHash(GENESIS_HASH, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      auditEntryHash('1'.repeat(64), base),
      auditEntryHash(GENESIS_HASH, { ...base, seq: 2 }),
      auditEntryHash(GENESIS_HASH, { ...base, at: new Date('2025-01-01T00:00:00.001Z') }),
      auditEntryHash(GENESIS_HASH, { ...base, actorId: 'v' }),
      auditEntryHash(GENESIS_HASH, { ...base, actorRole: null }),
      auditEntryHash(GENESIS_HASH, { ...base, action: 'a.c' }),
      auditEntryHash(GENESIS_HASH, { ...base, resourceType: 'u' }),
      auditEntryHash(GENESIS_HASH, { ...base, resourceCode: null }),
      auditEntryHash(GENESIS_HASH, { ...base, outcome: 'denied' }),
      auditEntryHash(GENESIS_HASH, { ...base, requestId: 'x' }),
      // Shifting text between neighbouring fields must not collide.
      auditEntryHash(GENESIS_HASH, { ...base, actorId: 'u","r', actorRole: null }),
    ];
    expect(new Set([h, ...variants]).size).toBe(variants.length + 1);
  });
});

describeEachDatabase('audit log', (getDb) => {
  /** Runs a statement with the append-only triggers off, as only the owner or a superuser could. */
  async function tamper(statement: string): Promise<void> {
    await getDb().handle.exec(
      `alter table audit_log disable trigger audit_log_no_update_delete;
       ${statement};
       alter table audit_log enable trigger audit_log_no_update_delete;`,
    );
  }
  const all = () => getDb().db.select().from(auditLog).orderBy(asc(auditLog.seq));
  const restore = (row: AuditRecord) => getDb().db.insert(auditLog).values(row);

  it('chains each entry to the one before it and verifies the chain', async () => {
    const { db } = getDb();
    for (const outcome of ['allowed', 'denied', 'succeeded'] as const)
      await appendAudit(db, entry({ outcome }));
    const rows = await all();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    for (const [i, row] of rows.entries()) {
      if (i > 0) expect(row.prevHash).toBe(rows[i - 1]?.hash);
      expect(row.hash).toBe(auditEntryHash(row.prevHash, row));
    }
    const last = rows.at(-1) as AuditRecord;
    expect(await verifyAuditChain(db)).toEqual({
      ok: true,
      checked: rows.length,
      head: { seq: last.seq, hash: last.hash },
    });
  });

  it('writes inside the caller’s transaction: a rolled-back change leaves no entry and no break', async () => {
    const { db } = getDb();
    await expect(
      db.transaction(async (tx) => {
        await appendAudit(tx, entry({ requestId: 'rolled-back', outcome: 'succeeded' }));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const kept = await db.transaction(async (tx) => appendAudit(tx, entry({ requestId: 'committed' })));
    const rows = await all();
    expect(rows.some((r) => r.requestId === 'rolled-back')).toBe(false);
    expect(rows.at(-1)).toMatchObject({ seq: kept.seq, requestId: 'committed' });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('keeps one chain under 50 concurrent appends', async () => {
    const { db } = getDb();
    const before = (await all()).length;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => appendAudit(db, entry({ requestId: `burst-${i}` }))),
    );
    expect(new Set(results.map((r) => r.seq)).size).toBe(50);
    const rows = await all();
    expect(rows.length).toBe(before + 50);
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: rows.length });
  });

  it('holds the chain until commit: appends in slow concurrent transactions still form one chain', async () => {
    const { db } = getDb();
    const before = (await all()).length;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await appendAudit(tx, entry({ requestId: `slow-${i}`, outcome: 'succeeded' }));
          // The change the entry records takes a while; no other append may chain past it meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await tx.select().from(auditLog).limit(1);
        }),
      ),
    );
    expect((await all()).length).toBe(before + 20);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { handle, db } = getDb();
    await appendAudit(db, entry());
    await expect(handle.query(`update audit_log set outcome = 'denied'`)).rejects.toThrow(
      'audit_log is append-only: UPDATE is not allowed',
    );
    await expect(handle.query('delete from audit_log')).rejects.toThrow(
      'audit_log is append-only: DELETE is not allowed',
    );
    await expect(handle.query('truncate audit_log')).rejects.toThrow(
      'audit_log is append-only: TRUNCATE is not allowed',
    );
    // Through Drizzle too (it wraps the database error in its own, with the cause attached).
    await expect(db.update(auditLog).set({ action: 'rescue_case.export' })).rejects.toMatchObject({
      cause: expect.objectContaining({ message: 'audit_log is append-only: UPDATE is not allowed' }),
    });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects an edited entry and names it', async () => {
    const { db } = getDb();
    await appendAudit(db, entry({ requestId: 'to-edit' }));
    await appendAudit(db, entry());
    const target = (await all()).find((r) => r.requestId === 'to-edit') as AuditRecord;
    await tamper(`update audit_log set resource_code = 'RC-OTHER' where seq = ${target.seq}`);
    expect(await verifyAuditChain(db, { batchSize: 5 })).toMatchObject({
      ok: false,
      firstBroken: { seq: target.seq, reason: 'hash does not match the entry: its contents were altered' },
    });
    await tamper(`update audit_log set resource_code = '${target.resourceCode}' where seq = ${target.seq}`);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects an edit whose hash was recomputed: the next entry no longer links to it', async () => {
    const { db } = getDb();
    const edited = await appendAudit(db, entry({ outcome: 'denied', requestId: 'forged' }));
    const next = await appendAudit(db, entry());
    const row = (await db.select().from(auditLog).where(eq(auditLog.seq, edited.seq)))[0] as AuditRecord;
    const forgedHash = auditEntryHash(row.prevHash, { ...row, outcome: 'allowed' });
    await tamper(`update audit_log set outcome = 'allowed', hash = '${forgedHash}' where seq = ${row.seq}`);
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      firstBroken: {
        seq: next.seq,
        reason: expect.stringMatching(`^prev_hash does not match entry #${row.seq}`),
      },
    });
    await tamper(`update audit_log set outcome = 'denied', hash = '${row.hash}' where seq = ${row.seq}`);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects a removed entry, in the middle or at the start', async () => {
    const { db } = getDb();
    const removed = await appendAudit(db, entry({ requestId: 'removed' }));
    const after = await appendAudit(db, entry());
    const row = (await db.select().from(auditLog).where(eq(auditLog.seq, removed.seq)))[0] as AuditRecord;
    await tamper(`delete from audit_log where seq = ${row.seq}`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBroken: { seq: after.seq } });
    await restore(row);

    const first = (await all())[0] as AuditRecord;
    await tamper(`delete from audit_log where seq = ${first.seq}`);
    const broken = await verifyAuditChain(db);
    expect(broken.firstBroken?.reason).toBe(
      'the first entry does not start from the genesis hash: earlier entries were removed',
    );
    await restore(first);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects removal of the newest entries when given an anchor kept elsewhere', async () => {
    const { db } = getDb();
    await appendAudit(db, entry());
    const head = (await verifyAuditChain(db)).head as { seq: number; hash: string };
    expect(await verifyAuditChain(db, { anchor: head })).toMatchObject({ ok: true });
    const row = (await db.select().from(auditLog).where(eq(auditLog.seq, head.seq)))[0] as AuditRecord;
    await tamper(`delete from audit_log where seq = ${head.seq}`);
    // Without the anchor a shorter chain is still a valid chain: that is why the head is printed.
    expect((await verifyAuditChain(db)).ok).toBe(true);
    expect(await verifyAuditChain(db, { anchor: head })).toMatchObject({
      ok: false,
      firstBroken: { seq: head.seq, reason: 'the anchored entry is missing: entries were removed' },
    });
    await restore(row);
    expect(await verifyAuditChain(db, { anchor: { seq: head.seq, hash: 'f'.repeat(64) } })).toMatchObject({
      ok: false,
      firstBroken: { seq: head.seq, reason: 'the anchored entry has a different hash' },
    });
  });

  it('streams the chain in batches', async () => {
    const { db } = getDb();
    for (let i = 0; i < 30; i++) await appendAudit(db, entry({ requestId: `stream-${i}` }));
    const progress: number[] = [];
    const result = await verifyAuditChain(db, { batchSize: 7, onProgress: (n) => progress.push(n) });
    expect(result.ok).toBe(true);
    expect(progress.length).toBe(Math.floor(result.checked / 7) + 1);
    expect(progress.at(-1)).toBe(result.checked);
  });

  it('refuses values where codes and names belong', async () => {
    const { db } = getDb();
    await expect(appendAudit(db, entry({ resourceCode: 'Kim Young-hee' }))).rejects.toThrow(
      'audit entry: resourceCode must be a code of letters, digits and _ . : - (no spaces)',
    );
    await expect(appendAudit(db, entry({ action: 'Read case' }))).rejects.toThrow(
      /^audit entry: action must be/,
    );
    await expect(appendAudit(db, entry({ outcome: 'maybe' as 'allowed' }))).rejects.toThrow(
      'audit entry: outcome must be one of allowed, denied, succeeded, failed',
    );
  });

  it('refuses to append under a snapshot older than the lock (repeatable read)', async () => {
    const { db } = getDb();
    await expect(
      db.transaction(async (tx) => appendAudit(tx, entry()), { isolationLevel: 'repeatable read' }),
    ).rejects.toThrow('appendAudit needs a read committed transaction (got repeatable read)');
  });

  it('searches by actor, action, resource, outcome and time, newest first, page by page', async () => {
    const { db } = getDb();
    const actor = `searcher-${Date.now()}`;
    const appended = [];
    for (let i = 0; i < 5; i++) {
      appended.push(
        await appendAudit(
          db,
          entry({
            actorId: actor,
            action: i % 2 === 0 ? 'rescue_case.read' : 'rescue_case.update',
            resourceCode: `RC-${i}`,
            outcome: i === 4 ? 'denied' : 'allowed',
          }),
        ),
      );
    }
    const seqs = appended.map((a) => a.seq).reverse();
    const page1 = await searchAudit(db, { actorId: actor, limit: 2 });
    expect(page1.entries.map((e) => e.seq)).toEqual(seqs.slice(0, 2));
    const page2 = await searchAudit(db, { actorId: actor, limit: 2, beforeSeq: page1.nextBeforeSeq ?? 0 });
    expect(page2.entries.map((e) => e.seq)).toEqual(seqs.slice(2, 4));
    const page3 = await searchAudit(db, { actorId: actor, limit: 2, beforeSeq: page2.nextBeforeSeq ?? 0 });
    expect(page3).toEqual({ entries: [expect.objectContaining({ seq: seqs[4] })], nextBeforeSeq: null });

    expect(
      (await searchAudit(db, { actorId: actor, action: 'rescue_case.update', limit: 50 })).entries,
    ).toHaveLength(2);
    expect((await searchAudit(db, { actorId: actor, outcome: 'denied', limit: 50 })).entries).toEqual([
      expect.objectContaining({ resourceCode: 'RC-4' }),
    ]);
    expect((await searchAudit(db, { resourceCode: 'RC-3', actorId: actor, limit: 50 })).entries).toHaveLength(
      1,
    );
    const rows = (await searchAudit(db, { actorId: actor, limit: 50 })).entries;
    const oldest = rows.at(-1) as AuditRecord;
    const newest = rows[0] as AuditRecord;
    const window = await searchAudit(db, {
      actorId: actor,
      from: oldest.at,
      to: new Date(newest.at.getTime() + 1),
      limit: 50,
    });
    expect(window.entries).toHaveLength(5);
    expect((await searchAudit(db, { actorId: actor, to: oldest.at, limit: 50 })).entries).toHaveLength(0);
    await expect(searchAudit(db, { limit: 1000 })).rejects.toThrow('a whole number from 1 to 200');
  });
});
