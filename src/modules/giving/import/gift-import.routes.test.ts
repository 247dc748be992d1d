import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import { auditLog } from '../../../platform/audit/audit.table';
import { insertFund } from '../funds/fund.service';
import { gifts } from '../giving.table';

const CSV = `${[
  'Contact ID,Email,First Name,Last Name,Total Amount,Currency,Receive Date,Financial Type,Transaction ID',
  '1,ana@example.org,Ana,Kim,100.00,USD,2024-03-01,Donation,H-1',
  '2,ben@example.org,Ben,Lee,100.00,USD,2024-13-01,Donation,H-2',
  '3,chi@example.org,Chi,Park,50000,KRW,2024-03-03,Donation,H-3',
].join('\n')}\n`;

describeEachDatabase('giving import routes', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  const post = (url: string, payload: object, actor: keyof Actors = 'development') =>
    t.app.inject(as(actors[actor], { method: 'POST', url, payload }));
  const get = (url: string, actor: keyof Actors = 'development') =>
    t.app.inject(as(actors[actor], { method: 'GET', url }));

  beforeAll(async () => {
    t = await startTestApp(getDb());
    actors = await actorsFor(t.app, t.ctx);
    await insertFund(t.ctx.database.db, {
      code: 'most-needed',
      name: 'Where most needed',
      restricted: false,
    });
  }, 90_000);
  afterAll(async () => t?.close());

  it('checks a file, refuses to commit its bad row, then commits the good rows when told to skip it', async () => {
    const checked = await post('/api/giving/imports', { fileName: 'C:\\exports\\civicrm.csv', csv: CSV });
    expect(checked.statusCode).toBe(201);
    const report = checked.json();
    expect(report).toMatchObject({
      layout: 'civicrm',
      rowsRead: 3,
      goodRows: 2,
      badRows: 1,
      errorCount: 1,
      errors: [{ line: 3, column: 'Receive Date', reason: '"2024-13-01" is not a date on the calendar' }],
      mapping: { 'Total Amount': 'amount', 'Transaction ID': 'transactionId' },
      funds: [{ value: 'Donation', fund: 'most-needed' }],
      run: { status: 'checked', fileName: 'civicrm.csv' },
    });
    const id = report.run.id as string;

    const refused = await post(`/api/giving/imports/${id}/commit`, { skipBadRows: false });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: 'conflict',
      message: 'The file has 1 bad row(s): fix them and check the file again, or skip them.',
    });

    const started = await post(`/api/giving/imports/${id}/commit`, { skipBadRows: true });
    expect(started.statusCode).toBe(202);
    expect(started.json().run.status).toBe('committing');
    let body = (await get(`/api/giving/imports/${id}`)).json();
    for (let i = 0; i < 100 && body.run.status === 'committing'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      body = (await get(`/api/giving/imports/${id}`)).json();
    }
    expect(body).toMatchObject({
      run: { status: 'committed', giftsCreated: 2, supportersCreated: 2, skipBadRows: true },
      progress: { done: 2, total: 2 },
      counts: { giftsCreated: 2, giftsSettled: 2 },
      held: false,
    });
    const imported = await t.ctx.database.db.select().from(gifts).where(eq(gifts.importRunId, id));
    expect(imported.map((g) => g.externalRef).sort()).toEqual(['civicrm:trxn:H-1', 'civicrm:trxn:H-3']);

    const audited = await t.ctx.database.db
      .select({ action: auditLog.action, actorId: auditLog.actorId })
      .from(auditLog)
      .where(and(eq(auditLog.resourceType, 'import_run'), eq(auditLog.resourceCode, id)));
    expect(audited.map((a) => a.action).sort()).toEqual(['gift_import.check', 'gift_import.commit']);
    expect(audited.every((a) => a.actorId === actors.development.userId)).toBe(true);

    const again = await post(`/api/giving/imports/${id}/commit`, { skipBadRows: true });
    expect(again.statusCode).toBe(410);
    const list = await get('/api/giving/imports', 'administrator');
    expect(list.statusCode).toBe(200);
    expect(list.json().runs[0]).toMatchObject({ id, status: 'committed' });
  });

  it('takes the file again with its choices when the server no longer holds it', async () => {
    const csv = CSV.replaceAll('H-', 'R-');
    const mapping = { 'Transaction ID': null };
    const checked = (await post('/api/giving/imports', { fileName: 'x.csv', csv, mapping })).json();
    // The administrator may read the run but not commit it.
    expect(
      (await post(`/api/giving/imports/${checked.run.id}/commit`, { skipBadRows: true }, 'administrator'))
        .statusCode,
    ).toBe(403);
    const otherChoices = await post(`/api/giving/imports/${checked.run.id}/commit`, {
      skipBadRows: true,
      csv: `${csv}4,dee@example.org,Dee,Cho,1.00,USD,2024-03-04,Donation,R-4\n`,
    });
    expect(otherChoices.statusCode).toBe(409);
    expect(otherChoices.json().message).toBe('This is not the file that was checked: check it again.');
  });

  it('answers a specific 400 for a bad body and 415 for a body that is not JSON', async () => {
    const empty = await post('/api/giving/imports', { fileName: 'x.csv', csv: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toBe('csv: is empty');
    const field = await post('/api/giving/imports', {
      fileName: 'x.csv',
      csv: CSV,
      mapping: { Email: 'password' },
    });
    expect(field.statusCode).toBe(400);
    expect(field.json().message).toBe('mapping.Email: is not a Passage field');
    const unmapped = await post('/api/giving/imports', { fileName: 'x.csv', csv: 'Donor,Gift\nx,1\n' });
    expect(unmapped.statusCode).toBe(400);
    expect(unmapped.json().message).toMatch(/^mapping: no column is mapped to amount/);
    const text = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/giving/imports',
        headers: { 'content-type': 'text/csv' },
        payload: CSV,
      }),
    );
    expect(text.statusCode).toBe(415);
    expect((await get('/api/giving/imports/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});
