import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  defaultMapping,
  detectLayout,
  ImportMappingError,
  type ImportOptions,
  inspectImport,
  parseDate,
  readImport,
} from './index';

const CIVI_HEADER = [
  'Contact ID',
  'External Identifier',
  'Email',
  'First Name',
  'Last Name',
  'Total Amount',
  'Currency',
  'Receive Date',
  'Financial Type',
  'Payment Method',
  'Transaction ID',
  'Source',
];

function csv(rows: (string | number)[][]): string {
  return `${rows
    .map((r) =>
      r.map((c) => (/[",\n\r]/.test(String(c)) ? `"${String(c).replaceAll('"', '""')}"` : c)).join(','),
    )
    .join('\n')}\n`;
}

/** A CiviCRM contribution file: `n` good rows, each overridable by index. */
function civicrmFile(n: number, override: Record<number, Partial<Record<string, string>>> = {}): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const row: Record<string, string> = {
      'Contact ID': String(100 + i),
      'External Identifier': `EXT-${i}`,
      Email: `donor${i}@example.org`,
      'First Name': `First${i}`,
      'Last Name': `Last${i}`,
      'Total Amount': i % 2 ? '50000' : '25.00',
      Currency: i % 2 ? 'KRW' : 'USD',
      'Receive Date': '2024-03-15',
      'Financial Type': 'Donation',
      'Payment Method': 'Check',
      'Transaction ID': `TX-${i}`,
      Source: 'Spring appeal',
      ...override[i],
    };
    return CIVI_HEADER.map((h) => row[h] ?? '');
  });
  return csv([CIVI_HEADER, ...rows]);
}

async function dryRun(text: string | Readable, options: ImportOptions = {}) {
  return readImport(text, options);
}

describe('detectLayout and defaultMapping', () => {
  it('recognises CiviCRM and NPSP headers, labels or API names', () => {
    expect(detectLayout(CIVI_HEADER)).toBe('civicrm');
    expect(
      detectLayout(['Contact1 First Name', 'Contact1 Last Name', 'Donation Amount', 'Donation Date']),
    ).toBe('npsp');
    expect(
      detectLayout([
        'npsp__Contact1_Firstname__c',
        'Contact1_Lastname__c',
        'Donation_Amount__c',
        'Payment_Method__c',
      ]),
    ).toBe('npsp');
    expect(detectLayout(['Donor', 'Gift', 'When'])).toBe('custom');
  });

  it('maps known headers and leaves the rest out', () => {
    expect(
      defaultMapping('civicrm', ['total amount', 'Receive Date', 'Household Name', 'Favourite colour']),
    ).toEqual({
      'total amount': 'amount',
      'Receive Date': 'receivedOn',
      'Household Name': 'organisationName',
      'Favourite colour': null,
    });
  });
});

describe('readImport: CiviCRM contribution layout', () => {
  it('normalises contacts and gifts, amounts in minor units of each currency', async () => {
    const r = await dryRun(civicrmFile(2));
    expect(r.layout).toBe('civicrm');
    expect(r.errors).toEqual([]);
    expect(r.committable).toBe(true);
    expect(r.rows).toEqual([
      {
        line: 2,
        contact: {
          kind: 'individual',
          sourceId: '100',
          externalId: 'EXT-0',
          email: 'donor0@example.org',
          firstName: 'First0',
          lastName: 'Last0',
        },
        gift: {
          amountMinor: 2500n,
          currency: 'USD',
          receivedOn: '2024-03-15',
          status: 'settled',
          fund: 'Donation',
          paymentMethod: 'Check',
          transactionId: 'TX-0',
          source: 'Spring appeal',
        },
      },
      expect.objectContaining({
        line: 3,
        gift: expect.objectContaining({ amountMinor: 50000n, currency: 'KRW' }),
      }),
    ]);
  });

  it('reports every bad row with its line, column and reason (the header is line 1)', async () => {
    const text = civicrmFile(6, {
      1: { 'Total Amount': '1000.5' },
      3: { 'Receive Date': '2024-02-30', Email: 'not-an-email' },
      4: { Currency: 'XYZ' },
      5: { 'Transaction ID': 'TX-0' },
    });
    const r = await dryRun(text);
    expect(r.errors).toEqual([
      { line: 3, column: 'Total Amount', reason: 'KRW has no minor unit; "1000.5" has decimals' },
      { line: 5, column: 'Email', reason: '"not-an-email" is not an email address' },
      { line: 5, column: 'Receive Date', reason: '"2024-02-30" is not a date on the calendar' },
      { line: 6, column: 'Currency', reason: '"XYZ" is not a supported currency code' },
      { line: 7, column: 'Transaction ID', reason: '"TX-0" is already on line 2' },
    ]);
    expect(r.rowsRead).toBe(6);
    expect(r.badRows).toBe(4);
    expect(r.rows.map((row) => row.line)).toEqual([2, 4]);
    expect(r.committable).toBe(false);
  });

  it('lets the import skip bad rows when asked', async () => {
    const r = await dryRun(civicrmFile(3, { 1: { 'Total Amount': '-5' } }), { skipBadRows: true });
    expect(r.errors).toEqual([{ line: 3, column: 'Total Amount', reason: 'must not be negative ("-5")' }]);
    expect(r.rows.map((row) => row.line)).toEqual([2, 4]);
    expect(r.committable).toBe(true);
  });

  it('counts lines as the file shows them: quoted line breaks, blank lines, CRLF and a BOM', async () => {
    const text = `\uFEFF${[
      'Email,Total Amount,Receive Date,Note',
      'a@example.org,10,2024-01-01,"one',
      'two',
      'three"',
      '',
      'b@example.org,zero,2024-01-01,x',
    ].join('\r\n')}\r\n`;
    const r = await dryRun(text, { mapping: { Note: 'note' } });
    expect(r.rows[0]).toMatchObject({ line: 2, gift: { note: 'one\r\ntwo\r\nthree' } });
    expect(r.errors).toEqual([{ line: 6, column: 'Total Amount', reason: '"zero" is not an amount in USD' }]);
  });

  it('needs a contact, an amount and a date on every gift row', async () => {
    const text = csv([
      ['Email', 'First Name', 'Total Amount', 'Receive Date'],
      ['', '', '10', '2024-01-01'],
      ['c@example.org', '', '', ''],
      ['', 'Ana', '0', '2024-01-01'],
    ]);
    const r = await dryRun(text);
    expect(r.errors).toEqual([
      {
        line: 2,
        column: '',
        reason: 'names no contact: give a contact id, an external identifier, an email or a name',
      },
      { line: 3, column: '', reason: 'has no amount' },
      { line: 3, column: '', reason: 'has no date' },
      { line: 4, column: 'Total Amount', reason: 'must be more than zero' },
    ]);
  });

  it('uses the default currency, reads slashed dates only in a stated order, and checks fee amounts', async () => {
    const header = ['Email', 'Total Amount', 'Receive Date', 'Fee Amount', 'Non-deductible Amount'];
    const text = csv([
      header,
      ['a@example.org', '10000', '03/04/2024', '', ''],
      ['b@example.org', '5000', '31/12/2024', '6000', ''],
      ['c@example.org', '5000', '20241231', '', '4000'],
    ]);
    const auto = await dryRun(text, { defaultCurrency: 'KRW' });
    expect(auto.errors[0]).toEqual({
      line: 2,
      column: 'Receive Date',
      reason: '"03/04/2024" is ambiguous: choose the date format (MM/DD/YYYY or DD/MM/YYYY)',
    });
    const dmy = await dryRun(text, { defaultCurrency: 'KRW', dateFormat: 'DD/MM/YYYY' });
    expect(dmy.errors).toEqual([{ line: 3, column: 'Fee Amount', reason: 'is more than the total amount' }]);
    expect(
      dmy.rows.map((row) => [row.gift?.receivedOn, row.gift?.currency, row.gift?.nonDeductibleMinor]),
    ).toEqual([
      ['2024-04-03', 'KRW', undefined],
      ['2024-12-31', 'KRW', 4000n],
    ]);
  });

  it('reports rows whose cell count differs from the header and stops at broken quoting', async () => {
    const short = await dryRun('Email,Total Amount,Receive Date\na@example.org,10\n');
    expect(short.errors).toEqual([{ line: 2, column: '', reason: 'has 2 cells; the header has 3' }]);

    const broken = await dryRun(
      'Email,Total Amount,Receive Date\na@example.org,10,2024-01-01\n"b,10,2024-01-01\n',
      {
        skipBadRows: true,
      },
    );
    expect(broken.complete).toBe(false);
    expect(broken.committable).toBe(false);
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]).toMatchObject({ line: 3, column: '' });
    expect(broken.errors[0]?.reason).toMatch(/^is not valid CSV: Quote Not Closed/);

    // A record too large to be a record, in the same chunk as a bad row and the header: all three reported.
    const runaway = await dryRun(
      `Email,Total Amount,Receive Date\na@example.org,zero,2024-01-01\n"${'x,'.repeat(600_000)}\n`,
    );
    expect(runaway.errors).toEqual([
      { line: 2, column: 'Total Amount', reason: '"zero" is not an amount in USD' },
      expect.objectContaining({
        line: 3,
        reason: expect.stringMatching(/^is not valid CSV: Max Record Size/),
      }),
    ]);

    const crlf = await dryRun(
      'Email,Total Amount,Receive Date,Note\r\na@example.org,10,2024-01-01,"x\r\ny"\r\n"b,10,2024-01-01,z\r\n',
      { mapping: { Note: 'note' } },
    );
    expect(crlf.errors.map((e) => e.line)).toEqual([4]);
  });

  it('reads contribution ids, "do not email" flags and a consent column, and refuses currencies not taken', async () => {
    const text = csv([
      ['Contribution ID', 'Email', 'Do Not Email', 'Consent', 'Total Amount', 'Currency', 'Receive Date'],
      ['501', 'a@example.org', '1', 'yes', '10', 'USD', '2024-01-01'],
      ['502', 'b@example.org', '0', 'Yes', '10', 'USD', '2024-01-01'],
      ['503', 'c@example.org', '', '', '10', 'USD', '2024-01-01'],
      ['501', 'd@example.org', 'maybe', '', '10', 'JPY', '2024-01-01'],
      ['504', 'e@example.org', '', '', '2000000000000', 'KRW', '2024-01-01'],
    ]);
    const r = await dryRun(text, {
      mapping: { Consent: 'emailConsent' },
      currencies: ['USD', 'KRW'],
      maxAmountMinor: 1_000_000_000_000n,
    });
    expect(r.rows.map((row) => [row.gift?.sourceId, row.contact.emailConsent])).toEqual([
      ['501', false],
      ['502', true],
      ['503', undefined],
    ]);
    expect(r.errors).toEqual([
      { line: 5, column: 'Do Not Email', reason: '"maybe" is not yes or no (1/0, true/false)' },
      { line: 5, column: 'Currency', reason: '"JPY" is not a currency Passage takes (USD, KRW)' },
      {
        line: 6,
        column: 'Total Amount',
        reason: 'is more than 1000000000000 minor units, the largest gift Passage records',
      },
    ]);
  });

  it('reads the organisation type CiviCRM imports per file, or per row from Contact Type', async () => {
    const text = csv([
      ['Organization Name', 'Contact Type', 'Total Amount', 'Receive Date'],
      ['Hope Church', '', '100', '2024-01-01'],
      ['', 'Individual', '100', '2024-01-01'],
      ['Acme', 'Robot', '100', '2024-01-01'],
    ]);
    const r = await dryRun(text, { contactKind: 'organisation' });
    expect(r.rows[0]?.contact).toEqual({ kind: 'organisation', organisationName: 'Hope Church' });
    expect(r.errors).toEqual([
      {
        line: 3,
        column: '',
        reason: 'names no contact: give a contact id, an external identifier, an email or a name',
      },
      { line: 4, column: 'Contact Type', reason: '"Robot" is not Individual, Household or Organization' },
    ]);
  });
});

describe('readImport: Salesforce NPSP Data Import template', () => {
  const header = [
    'Contact1 First Name',
    'Contact1 Last Name',
    'Contact1 Personal Email',
    'Contact1 Work Email',
    'Account1 Name',
    'Donation Donor',
    'Donation Amount',
    'Donation Date',
    'Donation Stage',
    'Payment Method',
    'Donation Campaign Name',
    'Home City',
  ];

  it('maps contacts, accounts as donors, stages to statuses and the first email given', async () => {
    const text = csv([
      header,
      [
        'Min',
        'Kim',
        '',
        'min@work.example',
        '',
        'Contact1',
        '120.00',
        '2024-05-01',
        'Closed Won',
        'Credit Card',
        'Bridge',
        'Seoul',
      ],
      ['', '', '', '', 'Hope Foundation', 'Account1', '5000', '2024-05-02', 'Pledged', 'Check', '', ''],
      ['Jo', 'Doe', 'jo@example.org', '', '', '', '10', '2024-05-03', 'Won-ish', '', '', ''],
    ]);
    const r = await dryRun(text);
    expect(r.layout).toBe('npsp');
    expect(r.rows[0]).toEqual({
      line: 2,
      contact: {
        kind: 'individual',
        firstName: 'Min',
        lastName: 'Kim',
        email: 'min@work.example',
        city: 'Seoul',
      },
      gift: {
        amountMinor: 12000n,
        currency: 'USD',
        receivedOn: '2024-05-01',
        status: 'settled',
        paymentMethod: 'Credit Card',
        campaign: 'Bridge',
      },
    });
    expect(r.rows[1]?.contact).toEqual({ kind: 'organisation', organisationName: 'Hope Foundation' });
    expect(r.rows[1]?.gift?.status).toBe('pending');
    expect(r.errors).toEqual([
      {
        line: 4,
        column: 'Donation Stage',
        reason:
          '"Won-ish" is not a known status (Completed, Pending, Failed, Cancelled, Refunded; Closed Won, Pledged, Closed Lost)',
      },
    ]);
  });
});

describe('the mapping step', () => {
  const custom = csv([
    ['Donor email', 'Gift', 'When', 'Colour'],
    ['a@example.org', '₩5,000', '2024-01-02', 'blue'],
  ]);

  it('shows the headers and the suggested mapping without reading the rows', async () => {
    expect(await inspectImport(civicrmFile(1))).toMatchObject({
      layout: 'civicrm',
      mapping: { 'Total Amount': 'amount', Source: 'source' },
    });
    expect(await inspectImport(custom)).toEqual({
      layout: 'custom',
      headers: ['Donor email', 'Gift', 'When', 'Colour'],
      mapping: { 'Donor email': null, Gift: null, When: null, Colour: null },
    });
  });

  it('refuses a mapping that cannot work, before any row', async () => {
    await expect(dryRun(custom)).rejects.toThrow(ImportMappingError);
    await expect(dryRun(custom)).rejects.toThrow(
      'mapping: no column is mapped to amount (layout not recognised: map the columns); no column is mapped to receivedOn (layout not recognised: map the columns); no column identifies the contact (contact id, external identifier, email or name)',
    );
    await expect(
      dryRun(custom, { mapping: { Nope: 'email', Gift: 'amount', When: 'receivedOn' } }),
    ).rejects.toThrow(/the file has no column "Nope"/);
    await expect(dryRun('')).rejects.toThrow('mapping: the file is empty');
  });

  it('imports a file of any layout once its columns are mapped', async () => {
    const r = await dryRun(custom, {
      mapping: { 'Donor email': 'email', Gift: 'amount', When: 'receivedOn' },
      defaultCurrency: 'KRW',
    });
    expect(r.rows).toEqual([
      {
        line: 2,
        contact: { kind: 'individual', email: 'a@example.org' },
        gift: { amountMinor: 5000n, currency: 'KRW', receivedOn: '2024-01-02', status: 'settled' },
      },
    ]);
  });

  it('overrides a default mapping and leaves columns out with null', async () => {
    const r = await dryRun(civicrmFile(1), { mapping: { Source: 'campaign', 'Contact ID': null } });
    expect(r.rows[0]?.gift?.campaign).toBe('Spring appeal');
    expect(r.rows[0]?.gift?.source).toBeUndefined();
    expect(r.rows[0]?.contact.sourceId).toBeUndefined();
  });

  it('imports contacts only', async () => {
    const r = await dryRun(civicrmFile(1, { 0: { 'Total Amount': '' } }), { entity: 'contacts' });
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toEqual({
      line: 2,
      contact: expect.objectContaining({ email: 'donor0@example.org' }),
    });
  });
});

describe('streaming', () => {
  it('reads byte chunks split inside a multi-byte character and reports progress', async () => {
    const text = csv([
      ['Email', 'First Name', 'Last Name', 'Total Amount', 'Currency', 'Receive Date'],
      ...Array.from({ length: 5 }, (_, i) => [
        `k${i}@example.kr`,
        '민준',
        '김',
        '10,000',
        'KRW',
        '2024-01-01',
      ]),
    ]);
    const bytes = Buffer.from(text, 'utf8');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.subarray(i * 7, i * 7 + 7),
    );
    const progress: number[] = [];
    const r = await dryRun(Readable.from(chunks), {
      progressEvery: 2,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(r.errors).toEqual([]);
    expect(r.rows.map((row) => row.contact.firstName)).toEqual(Array(5).fill('민준'));
    expect(r.rows[4]?.gift?.amountMinor).toBe(10000n);
    expect(progress).toEqual([2, 4, 5]);
  });

  it('stops reading a large stream after the header when inspecting, and passes on a failing source', async () => {
    const text = civicrmFile(2_000);
    const chunks = Array.from({ length: Math.ceil(text.length / 512) }, (_, i) =>
      text.slice(i * 512, i * 512 + 512),
    );
    let pulled = 0;
    async function* source() {
      for (const c of chunks) {
        pulled++;
        yield c;
      }
    }
    expect((await inspectImport(source())).layout).toBe('civicrm');
    expect(pulled).toBeLessThan(chunks.length);

    async function* failing() {
      yield 'Email,Total Amount,Receive Date\n';
      throw new Error('disk gone');
    }
    await expect(dryRun(Readable.from(failing()))).rejects.toThrow('disk gone');
  });

  it('refuses a file longer than the row limit', async () => {
    const r = await dryRun(civicrmFile(3), { maxRows: 2 });
    expect(r.complete).toBe(false);
    expect(r.committable).toBe(false);
    expect(r.errors).toEqual([{ line: 4, column: '', reason: 'the file has more than 2 rows; split it' }]);
  });

  it('validates 10,000 rows and reports the one bad one', async () => {
    const r = await dryRun(civicrmFile(10_000, { 7776: { 'Receive Date': 'yesterday' } }));
    expect(r.rows).toHaveLength(9_999);
    expect(r.errors).toEqual([{ line: 7778, column: 'Receive Date', reason: '"yesterday" is not a date' }]);
  });
});

describe('parseDate', () => {
  it('reads ISO dates with or without a time, and compact dates', () => {
    expect(parseDate('2024-1-5')).toBe('2024-01-05');
    expect(parseDate('2024-02-29 23:59:59')).toBe('2024-02-29');
    expect(parseDate('2024-02-29T23:59:59+09:00')).toBe('2024-02-29');
    expect(parseDate('20240229')).toBe('2024-02-29');
    expect(parseDate('12/31/2024', 'MM/DD/YYYY')).toBe('2024-12-31');
    expect(parseDate('31.12.2024', 'DD/MM/YYYY')).toBe('2024-12-31');
  });

  it('refuses impossible and unreadable dates', () => {
    expect(parseDate('2023-02-29')).toEqual({ reason: '"2023-02-29" is not a date on the calendar' });
    expect(parseDate('1900-02-29')).toEqual({ reason: '"1900-02-29" is not a date on the calendar' });
    expect(parseDate('13/01/2024', 'MM/DD/YYYY')).toEqual({
      reason: '"13/01/2024" is not a date on the calendar',
    });
    expect(parseDate('Jan 5 2024')).toEqual({ reason: '"Jan 5 2024" is not a date' });
  });
});

describe('a quote where CSV allows none (found by test/route-fuzz.test.ts: it answered 500)', () => {
  it('reports a bad header line as a mapping problem, in the check and in the read', async () => {
    await expect(inspectImport('ab"c,d\n1,2\n')).rejects.toBeInstanceOf(ImportMappingError);
    await expect(readImport('ab"c,d\n1,2\n')).rejects.toThrow(/header line is not valid CSV/);
  });

  it('reports a bad data line by its line, as any other CSV problem', async () => {
    const result = await readImport(`${CIVI_HEADER.join(',')}\nab"c${','.repeat(CIVI_HEADER.length - 1)}\n`);
    expect(result.complete).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/is not valid CSV/) }),
    ]);
  });
});
