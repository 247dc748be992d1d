import { Alert } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

/** The ids the API and better-auth answer with that have their own translated wording. */
const KNOWN_ERRORS = new Set([
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'setup_link_invalid',
  'invitation_invalid',
  'enrolment_required',
  'step_up_required',
  'session_expired',
  'internal',
  'network',
  'passkey_cancelled',
  'passkey_failed',
  'passkey_exists',
]);

/** A translated headline for the error, and the server's own sentence when it gave one. */
export function describeError(error: unknown, t: TFunction): { title: string; message: string } {
  if (!(error instanceof ApiError)) return { title: t('errors.generic'), message: '' };
  const title = KNOWN_ERRORS.has(error.id) ? t(`errors.${error.id}`) : t('errors.generic');
  const message = error.id === 'network' ? t('errors.networkDetail') : error.message;
  return { title, message };
}

export function ErrorAlert({ error, testId }: { error: unknown; testId?: string }) {
  const { t } = useTranslation();
  const { title, message } = describeError(error, t);
  return (
    <Alert color="red" variant="light" title={title} role="alert" data-testid={testId ?? 'error-alert'}>
      {message || null}
    </Alert>
  );
}
