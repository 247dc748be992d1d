/**
 * The thank-you page (`/give/thank-you?gift=<id>`): where the sandbox result and Stripe's hosted page send
 * the donor. It reads the gift back (amount, designation, state; never the donor) and, while the processor
 * has not confirmed it yet, asks again every two seconds for a minute.
 *
 * data-testids: `thanks-page`, `thanks-status` (with `data-status` = pending | settled | failed | refunded |
 * missing), `thanks-amount`, `thanks-receipt`, `thanks-give-again`.
 */
import { useEffect, useRef, useState } from 'react';
import { type DonationOutcome, fetchOutcome } from './donate-api';
import { money } from './donate-format';
import type { Language, Translate } from './donate-strings';

const POLL_MS = 2_000;
const POLL_TIMES = 30;

export function ThankYou({ t, language }: { t: Translate; language: Language }) {
  const giftId = new URLSearchParams(window.location.search).get('gift') ?? '';
  const [outcome, setOutcome] = useState<DonationOutcome | null>(null);
  const [missing, setMissing] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async (left: number) => {
      try {
        const next = await fetchOutcome(giftId);
        if (stopped) return;
        setOutcome(next);
        if (next.status === 'pending' && left > 0) timer = setTimeout(() => void read(left - 1), POLL_MS);
      } catch {
        if (!stopped) setMissing(true);
      }
    };
    if (giftId) void read(POLL_TIMES);
    else setMissing(true);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [giftId]);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const status = missing ? 'missing' : (outcome?.status ?? 'loading');
  const amount = outcome ? money(outcome.amountMinor + outcome.feeMinor, outcome.currency, language) : '';
  const designation = outcome ? (outcome.campaignName ?? outcome.fundName) : '';

  return (
    <section className="thanks" data-testid="thanks-page" aria-live="polite">
      <h1 tabIndex={-1} ref={headingRef}>
        {status === 'failed' ? t('failedTitle') : t('thanksTitle')}
      </h1>
      <div data-testid="thanks-status" data-status={status}>
        {status === 'missing' ? <p>{t('thanksMissing')}</p> : null}
        {outcome && (status === 'settled' || status === 'refunded') ? (
          <>
            <p data-testid="thanks-amount">
              {t(outcome.monthly ? 'thanksSettledMonthly' : 'thanksSettled', { amount, designation })}
            </p>
            {outcome.feeMinor > 0 ? (
              <p>{t('feeCovered', { fee: money(outcome.feeMinor, outcome.currency, language) })}</p>
            ) : null}
            {outcome.tributeKind ? <p>{t('thanksTribute')}</p> : null}
            <p data-testid="thanks-receipt">
              {outcome.receiptEmailed ? t('receiptEmailed') : t('receiptSoon')}
            </p>
          </>
        ) : null}
        {outcome && status === 'pending' ? (
          <>
            <p data-testid="thanks-amount">{t('thanksPending', { amount })}</p>
            <p data-testid="thanks-receipt">{t('receiptSoon')}</p>
          </>
        ) : null}
        {status === 'failed' ? <p>{t('thanksFailed')}</p> : null}
      </div>
      <p>
        <a className="give-link" href="/give" data-testid="thanks-give-again">
          {status === 'failed' ? t('tryAgain') : t('giveAgain')}
        </a>
      </p>
    </section>
  );
}
