/** The donate form's fields, their ids and labels, the checks that need no state, and its error summary. */
import type { ReactNode, RefObject } from 'react';
import { GIVING_CURRENCIES, type GivingCurrency } from '../../money';
import { type Frequency, presetAmounts } from './donate-amounts';
import type { StringKey, Translate } from './donate-strings';

export type Field =
  | 'frequency'
  | 'amount'
  | 'designation'
  | 'tributeName'
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'postcode'
  | 'testCard';

/** Where each field's control is, for the error summary's links and for focus. */
export const FIELD_IDS: Record<Field, string> = {
  frequency: 'donate-frequency-once',
  amount: 'donate-amount-other',
  designation: 'donate-designation-first',
  tributeName: 'donate-tribute-name',
  firstName: 'donate-first-name',
  lastName: 'donate-last-name',
  email: 'donate-email',
  postcode: 'donate-postcode',
  testCard: 'donate-test-card',
};

/** The server's field paths (`donor.email: must be…`) to the form's fields. */
export const SERVER_FIELDS: Record<string, Field> = {
  frequency: 'frequency',
  amountMinor: 'amount',
  currency: 'amount',
  fund: 'designation',
  campaign: 'designation',
  'tribute.name': 'tributeName',
  'tribute.kind': 'tributeName',
  'donor.firstName': 'firstName',
  'donor.lastName': 'lastName',
  'donor.email': 'email',
  'donor.postcode': 'postcode',
  testCard: 'testCard',
};

export const FIELD_LABELS: Record<Field, StringKey> = {
  frequency: 'frequency',
  amount: 'amount',
  designation: 'designation',
  tributeName: 'tributeName',
  firstName: 'firstName',
  lastName: 'lastName',
  email: 'email',
  postcode: 'postcode',
  testCard: 'testCard',
};

export type Errors = Partial<Record<Field, string>>;

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The preset chosen for the donor until they choose: the second one (US$50, ₩50,000 once). */
export function suggested(frequency: Frequency, currency: GivingCurrency): number | null {
  return presetAmounts(frequency, currency)[1]?.amountMinor ?? null;
}

/** A translated sentence with one placeholder replaced by an element (the fee, in bold). */
export function withNode(text: string, placeholder: string, node: ReactNode): ReactNode {
  const at = text.indexOf(placeholder);
  if (at < 0) return text;
  return (
    <>
      {text.slice(0, at)}
      {node}
      {text.slice(at + placeholder.length)}
    </>
  );
}

export function isCurrency(value: string | null): value is GivingCurrency {
  return (GIVING_CURRENCIES as readonly (string | null)[]).includes(value);
}

/** The error summary above the form: each message links to (and focuses) its field. */
export function ErrorSummary({
  t,
  errors,
  general,
  focusRef,
}: {
  t: Translate;
  errors: [Field, string][];
  general: string | null;
  focusRef: RefObject<HTMLDivElement | null>;
}) {
  return (
    <div className="alert" role="alert" tabIndex={-1} ref={focusRef} data-testid="donate-errors">
      <h2>{t('errorsTitle')}</h2>
      <ul>
        {errors.map(([field, message]) => (
          <li key={field}>
            <a
              href={`#${FIELD_IDS[field]}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(FIELD_IDS[field])?.focus();
              }}
            >
              {message}
            </a>
          </li>
        ))}
        {general ? <li>{general}</li> : null}
      </ul>
    </div>
  );
}
