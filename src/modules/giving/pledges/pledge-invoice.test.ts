import { describe, expect, it } from 'vitest';
import { pdfText } from '../../../../test/harness/pdf-text';
import { invoicePdf } from './pledge-invoice';

describe('a pledge invoice PDF', () => {
  it('prints a sponsor named in Hangul, in the embedded Korean font', async () => {
    const pdf = await invoicePdf({
      number: 'INV-2026-000042',
      sponsorName: '한빛 교회',
      pledgeName: '영상 조회 후원',
      designation: 'Rescue fund',
      periodStart: new Date('2026-10-01T00:00:00Z'),
      periodEnd: new Date('2026-11-01T00:00:00Z'),
      currency: 'KRW',
      counted: { kind: 'per_unit', units: 2_000, metric: 'video views', rateMinor: 250, perUnits: 1 },
      raisedMinor: 500_000,
      capMinor: 1_000_000,
      invoicedBeforeMinor: 0,
      amountMinor: 500_000,
    });
    const { text, fonts } = pdfText(pdf);
    expect(fonts.some((f) => f.includes('NotoSansKR'))).toBe(true);
    expect(text).toContain('한빛 교회');
    expect(text).toContain('INV-2026-000042');
    expect(text).toContain('KRW');
  });
});
