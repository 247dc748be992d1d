/**
 * The public donate form (`/give`).
 *
 * Stable data-testids, used by the browser journeys (test/e2e/giving-*.e2e.test.ts); keep them:
 *
 * | testid                                   | what                                                          |
 * | ---------------------------------------- | ------------------------------------------------------------- |
 * | `donate-form`                            | the form                                                      |
 * | `donate-frequency-once`, `-monthly`      | the one-time / monthly radios                                 |
 * | `donate-currency`                        | the currency <select> (USD, KRW, CAD, EUR, GBP, AUD)          |
 * | `donate-amount-<minor units>`            | a preset amount radio, e.g. `donate-amount-5000` ($50.00), `donate-amount-50000` (₩50,000) |
 * | `donate-amount-other`                    | the typed amount ("50.00", "50,000")                          |
 * | `donate-designation-rescue-fund`, `donate-designation-most-needed`, `donate-designation-campaign-<code>` | where it goes |
 * | `donate-campaign-progress`               | the chosen campaign's progress bar and text                   |
 * | `donate-tribute`                         | the "in honour or memory" checkbox                            |
 * | `donate-tribute-in_honour`, `-in_memory` | its kind; `donate-tribute-name` its name                      |
 * | `donate-anonymous`, `donate-cover-fees`  | the two checkboxes; `donate-fee` the exact fee it adds        |
 * | `donate-total`                           | what is charged (gift + covered fee)                          |
 * | `donate-first-name`, `donate-last-name`, `donate-email`, `donate-postcode`, `donate-email-consent` | the donor |
 * | `donate-test-card`                       | the sandbox test card number (only when the sandbox is the processor) |
 * | `donate-submit`                          | the Give button                                               |
 * | `donate-errors`                          | the error summary (focused when shown)                        |
 * | `donate-error-<field>`                   | a field's message: amount, tributeName, firstName, email, testCard, designation, frequency, lastName, postcode |
 * | `donate-declined`                        | the declined-card alert (focused when shown)                  |
 * | `donate-notice`                          | "you left the payment page" / "the campaign is not open"      |
 */
import { type FormEvent, type InputHTMLAttributes, useEffect, useMemo, useRef, useState } from 'react';
import { coveredFee, GIVING_CURRENCIES, type GivingCurrency } from '../../money';
import { CampaignProgressBar } from './campaign-progress';
import { exampleAmount, type Frequency, minimumMinor, presetAmounts, readAmount } from './donate-amounts';
import {
  DonateApiError,
  type DonateOptions,
  type DonationRequest,
  fetchDonateOptions,
  sendDonation,
} from './donate-api';
import {
  EMAIL,
  ErrorSummary,
  type Errors,
  FIELD_LABELS,
  type Field,
  isCurrency,
  SERVER_FIELDS,
  suggested,
  withNode,
} from './donate-fields';
import { money, presetLabel } from './donate-format';
import type { Language, Translate } from './donate-strings';

export function DonateForm({ t, language }: { t: Translate; language: Language }) {
  const query = useMemo(() => new URLSearchParams(window.location.search), []);
  const wantedCampaign = query.get('campaign');
  const [options, setOptions] = useState<DonateOptions | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);

  const initialFrequency: Frequency = query.get('frequency') === 'monthly' ? 'monthly' : 'once';
  const queryCurrency = query.get('currency');
  const initialCurrency: GivingCurrency = isCurrency(queryCurrency)
    ? queryCurrency
    : language === 'ko'
      ? 'KRW'
      : 'USD';
  const [frequency, setFrequency] = useState<Frequency>(initialFrequency);
  const [currency, setCurrency] = useState<GivingCurrency>(initialCurrency);
  const [preset, setPreset] = useState<number | null>(() => suggested(initialFrequency, initialCurrency));
  const [custom, setCustom] = useState('');
  const [designation, setDesignation] = useState('fund:rescue-fund');
  const [tribute, setTribute] = useState(false);
  const [tributeKind, setTributeKind] = useState<'in_honour' | 'in_memory'>('in_honour');
  const [tributeName, setTributeName] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [coverFees, setCoverFees] = useState(false);
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [email, setEmail] = useState('');
  const [postcode, setPostcode] = useState('');
  const [emailConsent, setEmailConsent] = useState(false);
  const [testCard, setTestCard] = useState('');

  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [declined, setDeclined] = useState(false);
  const [sending, setSending] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const declinedRef = useRef<HTMLDivElement>(null);
  // Once React has drawn an alert, focus moves to it and a screen reader reads it (each time it is shown).
  const [focusAlert, setFocusAlert] = useState<{ on: 'summary' | 'declined'; at: number } | null>(null);
  useEffect(() => {
    if (focusAlert) (focusAlert.on === 'summary' ? summaryRef : declinedRef).current?.focus();
  }, [focusAlert]);

  useEffect(() => {
    fetchDonateOptions()
      .then((loaded) => {
        setOptions(loaded);
        const campaign = loaded.campaigns.find((c) => c.code === wantedCampaign);
        if (campaign) {
          setDesignation(`campaign:${campaign.code}`);
          // A campaign link gives in the campaign's currency unless the link says otherwise.
          if (!isCurrency(queryCurrency) && isCurrency(campaign.currency)) {
            setCurrency(campaign.currency);
            setPreset(suggested(initialFrequency, campaign.currency));
          }
        }
      })
      .catch(() => setLoadFailed(true));
  }, [wantedCampaign, queryCurrency, initialFrequency]);

  const selectedCampaign = designation.startsWith('campaign:')
    ? (options?.campaigns.find((c) => `campaign:${c.code}` === designation) ?? null)
    : null;
  const unitMinor =
    selectedCampaign?.goalKind === 'units' && selectedCampaign.currency === currency
      ? selectedCampaign.unitMinor
      : undefined;
  const presets = presetAmounts(frequency, currency, unitMinor);
  const reading = custom.trim() ? readAmount(custom, currency) : null;
  // A preset counts only while it is on offer (a campaign's unit price replaces the largest one).
  const presetMinor = presets.some((p) => p.amountMinor === preset) ? preset : null;
  const amountMinor = reading ? (reading.ok ? reading.amountMinor : null) : presetMinor;
  const fee = amountMinor !== null ? coveredFee(amountMinor, currency) : null;
  const totalMinor = amountMinor !== null ? amountMinor + (coverFees && fee !== null ? fee : 0) : null;
  const provider = options?.provider ?? null;
  const fmt = (minor: number) => money(minor, currency, language);

  function chooseCurrency(next: GivingCurrency) {
    setCurrency(next);
    setPreset(suggested(frequency, next));
    setCustom('');
  }

  function chooseFrequency(next: Frequency) {
    setFrequency(next);
    setPreset(suggested(next, currency));
  }

  function amountMessage(): string | undefined {
    const example = exampleAmount(currency);
    if (!reading) return presetMinor === null ? t('amountRequired') : undefined;
    if (reading.ok) return undefined;
    switch (reading.problem) {
      case 'required':
        return t('amountRequired');
      case 'decimals':
        return t('amountDecimals', { currency, example });
      case 'decimalPlaces':
        return t('amountDecimalPlaces', { example });
      case 'tooSmall':
        return t('amountTooSmall', { min: fmt(minimumMinor(currency)) });
      case 'tooLarge':
        return t('amountTooLarge');
      default:
        return t('amountInvalid', { example });
    }
  }

  function validate(): Errors {
    const found: Errors = {};
    const amount = amountMessage();
    if (amount) found.amount = amount;
    if (tribute && !tributeName.trim()) found.tributeName = t('required', { field: t('fieldTributeName') });
    if (!firstName.trim()) found.firstName = t('required', { field: t('fieldFirstName') });
    if (!email.trim()) found.email = t('required', { field: t('fieldEmail') });
    else if (!EMAIL.test(email.trim())) found.email = t('emailInvalid');
    if (provider === 'sandbox' && !testCard.trim())
      found.testCard = t('required', { field: t('fieldTestCard') });
    return found;
  }

  function showErrors(found: Errors, message: string | null = null) {
    setErrors(found);
    setGeneral(message);
    setDeclined(false);
    setFocusAlert({ on: 'summary', at: Date.now() });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (sending || !provider) return;
    const found = validate();
    if (Object.keys(found).length > 0 || amountMinor === null) return showErrors(found);
    setErrors({});
    setGeneral(null);
    setDeclined(false);
    const [kind, code] = designation.split(':') as ['fund' | 'campaign', string];
    const request: DonationRequest = {
      provider,
      frequency,
      amountMinor,
      currency,
      ...(kind === 'fund' ? { fund: code } : { campaign: code }),
      coverFees,
      anonymous,
      ...(tribute ? { tribute: { kind: tributeKind, name: tributeName.trim() } } : {}),
      donor: {
        email: email.trim(),
        firstName: firstName.trim(),
        ...(lastName.trim() ? { lastName: lastName.trim() } : {}),
        ...(postcode.trim() ? { postcode: postcode.trim() } : {}),
        emailConsent,
      },
      ...(provider === 'sandbox' ? { testCard: testCard.trim() } : {}),
    };
    setSending(true);
    try {
      const result = await sendDonation(request);
      if (result.checkoutUrl) {
        // Stripe's hosted page takes the card; it sends the donor back to /give/thank-you.
        window.location.assign(result.checkoutUrl);
        return;
      }
      if (result.status === 'failed') {
        setSending(false);
        setDeclined(true);
        setFocusAlert({ on: 'declined', at: Date.now() });
        return;
      }
      window.location.assign(`/give/thank-you?gift=${encodeURIComponent(result.giftId)}`);
    } catch (error) {
      setSending(false);
      if (error instanceof DonateApiError && error.status === 400) {
        const fromServer: Errors = {};
        let unplaced: string | null = null;
        for (const { field, reason } of error.fields) {
          const mine = SERVER_FIELDS[field];
          if (mine) fromServer[mine] ??= `${t(FIELD_LABELS[mine])}: ${reason}`;
          else unplaced ??= field ? `${field}: ${reason}` : reason;
        }
        return showErrors(fromServer, unplaced);
      }
      showErrors(
        {},
        error instanceof DonateApiError && error.status === 429 ? t('rateLimited') : t('failed'),
      );
    }
  }

  /** A field's message goes as soon as the donor changes it; the rest stay until the next try. */
  const edited = (field: Field, set: (value: string) => void) => (event: { target: { value: string } }) => {
    set(event.target.value);
    if (errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
  };

  const errorEntries = Object.entries(errors) as [Field, string][];
  const describedBy = (field: Field, hint?: string) =>
    [hint, errors[field] ? `donate-error-${field}` : null].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: Field) =>
    errors[field] ? (
      <p className="field-error" id={`donate-error-${field}`} data-testid={`donate-error-${field}`}>
        {errors[field]}
      </p>
    ) : null;

  /** A labelled text box with its hint and its error, wired for screen readers (`donate-<name>` ids). */
  const textField = (
    field: Field,
    name: string,
    label: string,
    value: string,
    set: (value: string) => void,
    input: InputHTMLAttributes<HTMLInputElement>,
    hint?: string,
  ) => (
    <div className="field">
      <label htmlFor={`donate-${name}`}>{label}</label>
      <input
        id={`donate-${name}`}
        type="text"
        {...input}
        value={value}
        onChange={edited(field, set)}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={describedBy(field, hint ? `donate-${name}-hint` : undefined)}
        data-testid={`donate-${name}`}
      />
      {hint ? (
        <p className="hint" id={`donate-${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {fieldError(field)}
    </div>
  );

  if (loadFailed)
    return (
      <p className="alert" role="alert">
        {t('loadFailed')}
      </p>
    );

  const notices: string[] = [];
  if (query.get('cancelled') === '1') notices.push(t('cancelled'));
  if (options && wantedCampaign && !options.campaigns.some((c) => c.code === wantedCampaign))
    notices.push(t('campaignClosed'));

  const funds = options?.funds ?? [];
  const designations: { value: string; testid: string; label: string; hint: string }[] = [
    ...funds.map((f) => ({
      value: `fund:${f.code}`,
      testid: `donate-designation-${f.code}`,
      label: f.code === 'rescue-fund' ? t('rescueFund') : f.code === 'most-needed' ? t('mostNeeded') : f.name,
      hint:
        f.code === 'rescue-fund' ? t('rescueFundHint') : f.code === 'most-needed' ? t('mostNeededHint') : '',
    })),
    ...(options?.campaigns ?? []).map((c) => ({
      value: `campaign:${c.code}`,
      testid: `donate-designation-campaign-${c.code}`,
      label: c.name,
      hint: t('campaignHint'),
    })),
  ];

  return (
    <form className="donate-form" data-testid="donate-form" onSubmit={submit} noValidate aria-busy={!options}>
      {notices.map((n) => (
        <p key={n} className="notice" role="status" data-testid="donate-notice">
          {n}
        </p>
      ))}
      {options && !provider ? (
        <p className="alert" role="alert">
          {t('unavailable')}
        </p>
      ) : null}

      {errorEntries.length > 0 || general ? (
        <ErrorSummary t={t} errors={errorEntries} general={general} focusRef={summaryRef} />
      ) : null}

      {declined ? (
        <div className="alert" role="alert" tabIndex={-1} ref={declinedRef} data-testid="donate-declined">
          {t('declined')}
        </div>
      ) : null}

      <fieldset className="choices">
        <legend>{t('frequency')}</legend>
        <div className="pills pills-2">
          {(['once', 'monthly'] as const).map((f) => (
            <label key={f} className="pill">
              <input
                type="radio"
                name="frequency"
                id={`donate-frequency-${f}`}
                value={f}
                checked={frequency === f}
                onChange={() => chooseFrequency(f)}
                data-testid={`donate-frequency-${f}`}
              />
              <span>{t(f)}</span>
            </label>
          ))}
        </div>
        {fieldError('frequency')}
      </fieldset>

      <fieldset className="choices" aria-describedby={describedBy('amount')}>
        <legend>{t('amount')}</legend>
        <div className="field">
          <label htmlFor="donate-currency">{t('currency')}</label>
          <select
            id="donate-currency"
            value={currency}
            onChange={(e) => chooseCurrency(e.target.value as GivingCurrency)}
            data-testid="donate-currency"
          >
            {GIVING_CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="pills">
          {presets.map((p) => (
            <label key={p.amountMinor} className="pill">
              <input
                type="radio"
                name="amount"
                value={p.amountMinor}
                checked={!custom.trim() && preset === p.amountMinor}
                onChange={() => {
                  setPreset(p.amountMinor);
                  edited('amount', setCustom)({ target: { value: '' } });
                }}
                data-testid={`donate-amount-${p.amountMinor}`}
              />
              <span>
                {presetLabel(p.amountMinor, currency, language)}
                {p.oneRescue ? <small> · {t('oneRescue')}</small> : null}
              </span>
            </label>
          ))}
        </div>
        <div className="field">
          <label htmlFor="donate-amount-other">{t('otherAmount')}</label>
          <input
            id="donate-amount-other"
            type="text"
            inputMode={currency === 'KRW' ? 'numeric' : 'decimal'}
            autoComplete="off"
            value={custom}
            onChange={edited('amount', setCustom)}
            aria-invalid={errors.amount ? true : undefined}
            aria-describedby={describedBy('amount', 'donate-amount-hint')}
            data-testid="donate-amount-other"
          />
          <p className="hint" id="donate-amount-hint">
            {t('otherAmountHint', { currency, example: exampleAmount(currency) })}
          </p>
          {fieldError('amount')}
        </div>
      </fieldset>

      <fieldset className="choices">
        <legend>{t('designation')}</legend>
        <div className="options">
          {designations.map((d, i) => (
            <label key={d.value} className="option">
              <input
                type="radio"
                name="designation"
                id={i === 0 ? 'donate-designation-first' : undefined}
                value={d.value}
                checked={designation === d.value}
                onChange={() => setDesignation(d.value)}
                data-testid={d.testid}
              />
              <span>
                <strong>{d.label}</strong>
                {d.hint ? <small>{d.hint}</small> : null}
              </span>
            </label>
          ))}
        </div>
        {selectedCampaign ? (
          <CampaignProgressBar progress={selectedCampaign} t={t} language={language} />
        ) : null}
        {fieldError('designation')}
      </fieldset>

      <div className="checks">
        <label className="check">
          <input
            type="checkbox"
            checked={tribute}
            onChange={(e) => setTribute(e.target.checked)}
            data-testid="donate-tribute"
          />
          <span>{t('tribute')}</span>
        </label>
        {tribute ? (
          <fieldset className="choices nested">
            <legend>{t('tributeKind')}</legend>
            <div className="pills pills-2">
              {(['in_honour', 'in_memory'] as const).map((k) => (
                <label key={k} className="pill">
                  <input
                    type="radio"
                    name="tributeKind"
                    value={k}
                    checked={tributeKind === k}
                    onChange={() => setTributeKind(k)}
                    data-testid={`donate-tribute-${k}`}
                  />
                  <span>{t(k === 'in_honour' ? 'inHonour' : 'inMemory')}</span>
                </label>
              ))}
            </div>
            {textField('tributeName', 'tribute-name', t('tributeName'), tributeName, setTributeName, {
              maxLength: 120,
            })}
          </fieldset>
        ) : null}
        <label className="check">
          <input
            type="checkbox"
            checked={anonymous}
            onChange={(e) => setAnonymous(e.target.checked)}
            data-testid="donate-anonymous"
          />
          <span>{t('anonymous')}</span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={coverFees}
            onChange={(e) => setCoverFees(e.target.checked)}
            aria-describedby={amountMinor !== null ? 'donate-fee-hint' : undefined}
            data-testid="donate-cover-fees"
          />
          <span>
            {fee !== null && amountMinor !== null ? (
              <>
                <span>
                  {withNode(
                    t('coverFees', { fee: '{fee}' }),
                    '{fee}',
                    <strong data-testid="donate-fee">{fmt(fee)}</strong>,
                  )}
                </span>
                <small id="donate-fee-hint">{t('coverFeesHint', { amount: fmt(amountMinor) })}</small>
              </>
            ) : (
              t('coverFeesNoAmount')
            )}
          </span>
        </label>
      </div>

      <fieldset className="choices">
        <legend>{t('you')}</legend>
        <div className="row">
          {textField('firstName', 'first-name', t('firstName'), firstName, setFirstName, {
            autoComplete: 'given-name',
            maxLength: 100,
          })}
          {textField('lastName', 'last-name', t('lastName'), lastName, setLastName, {
            autoComplete: 'family-name',
            maxLength: 100,
          })}
        </div>
        {textField(
          'email',
          'email',
          t('email'),
          email,
          setEmail,
          { type: 'email', autoComplete: 'email', maxLength: 254 },
          t('emailHint'),
        )}
        {textField('postcode', 'postcode', t('postcode'), postcode, setPostcode, {
          autoComplete: 'postal-code',
          maxLength: 12,
          className: 'short',
        })}
        <label className="check">
          <input
            type="checkbox"
            checked={emailConsent}
            onChange={(e) => setEmailConsent(e.target.checked)}
            data-testid="donate-email-consent"
          />
          <span>{t('emailConsent')}</span>
        </label>
      </fieldset>

      <fieldset className="choices">
        <legend>{t('payment')}</legend>
        {provider === 'sandbox' ? (
          textField(
            'testCard',
            'test-card',
            t('testCard'),
            testCard,
            setTestCard,
            { inputMode: 'numeric', autoComplete: 'off', placeholder: '4242 4242 4242 4242', maxLength: 23 },
            t('testCardHint'),
          )
        ) : provider === 'stripe' ? (
          <p className="hint">{t('stripeHint')}</p>
        ) : null}
        {totalMinor !== null ? (
          <p className="total" data-testid="donate-total">
            {t(frequency === 'monthly' ? 'totalMonthly' : 'total', { total: fmt(totalMinor) })}
          </p>
        ) : null}
        <button type="submit" className="give" disabled={sending || !provider} data-testid="donate-submit">
          {sending
            ? t('sending')
            : totalMinor !== null
              ? t(frequency === 'monthly' ? 'giveMonthly' : 'give', { total: fmt(totalMinor) })
              : t('giveNoAmount')}
        </button>
      </fieldset>
    </form>
  );
}
