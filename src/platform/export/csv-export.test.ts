import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvExport, csvExportToString, neutraliseCell } from './index';

describe('neutraliseCell', () => {
  it('puts an apostrophe before every formula trigger OWASP lists', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")']) {
      expect(neutraliseCell(text)).toBe(`'${text}`);
    }
    for (const text of ['', 'Ann', '1+1', "'=1", ' =1', '김민준']) expect(neutraliseCell(text)).toBe(text);
  });

  it('leaves no exported text cell starting with a trigger, and loses nothing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = neutraliseCell(text);
        expect(/^[=+\-@\t\r]/.test(out)).toBe(false);
        expect(out === text || out === `'${text}`).toBe(true);
      }),
    );
  });
});

describe('csvExport', () => {
  const donors = [
    { name: '=cmd|"/c calc"!A0', note: 'line one\nline, two', amountMinor: -500n, gifts: 3, first: true },
    { name: '김민준', note: '"quoted"', amountMinor: 10000n, gifts: -1, first: false },
  ];

  it('writes a header from the first record and neutralises text, not numbers', async () => {
    const text = await csvExportToString(donors);
    expect(text).toBe(
      [
        'name,note,amountMinor,gifts,first',
        `"'=cmd|""/c calc""!A0","line one\nline, two",-500,3,true`,
        '김민준,"""quoted""",10000,-1,false',
        '',
      ].join('\n'),
    );
    expect(parse(text, { columns: true })).toEqual([
      {
        name: `'=cmd|"/c calc"!A0`,
        note: 'line one\nline, two',
        amountMinor: '-500',
        gifts: '3',
        first: 'true',
      },
      { name: '김민준', note: '"quoted"', amountMinor: '10000', gifts: '-1', first: 'false' },
    ]);
  });

  it('takes chosen columns, computed cells, dates and empty values', async () => {
    const text = await csvExportToString(donors, {
      columns: [
        'name',
        { header: '-Amount', value: (d) => (d.amountMinor < 0n ? `-${-d.amountMinor}` : d.amountMinor) },
        { header: 'At', value: () => new Date(Date.UTC(2024, 0, 2)) },
        { header: 'Nothing', value: () => null },
      ],
    });
    expect(text.split('\n').slice(0, 3)).toEqual([
      "name,'-Amount,At,Nothing",
      `"'=cmd|""/c calc""!A0",'-500,2024-01-02T00:00:00.000Z,`,
      '김민준,10000,2024-01-02T00:00:00.000Z,',
    ]);
  });

  it('starts with a byte order mark for Excel when asked', async () => {
    const text = await csvExportToString([{ name: '김민준' }], { bom: true });
    expect(text).toBe('\uFEFFname\n김민준\n');
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('streams an async list as it comes, and writes only a header for an empty one with columns', async () => {
    async function* many() {
      for (let i = 0; i < 5000; i++) yield { i, email: `@donor${i}` };
    }
    let rows = 0;
    let text = '';
    for await (const chunk of csvExport(many())) text += chunk.toString();
    for (const line of text.split('\n')) if (line) rows++;
    expect(rows).toBe(5001);
    expect(text.split('\n')[5000]).toBe("4999,'@donor4999");
    expect(await csvExportToString([], { columns: ['a', 'b'] as never })).toBe('a,b\n');
    expect(await csvExportToString([])).toBe('');
  });

  it('round-trips any text through csv-parse, apostrophe aside', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), async (cells) => {
        const record = Object.fromEntries(cells.map((c, i) => [`c${i}`, c]));
        const text = await csvExportToString([record]);
        const [back] = parse(text, { columns: true }) as Record<string, string>[];
        for (const [k, v] of Object.entries(record)) expect(back?.[k]).toBe(neutraliseCell(v));
      }),
      { numRuns: 200 },
    );
  });
});
