import { Alert, Anchor, Button, Divider, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, isApiError } from '../api';
import { CodeField } from '../components/code-field';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { PasswordField } from '../components/password-field';
import { useDocumentTitle } from '../components/use-document-title';
import { authenticateWithPasskey, passkeysSupported } from '../passkey';
import { SESSION_KEY, safeNextPath, signInWithEmail, useSession, verifySecondFactor } from '../session';
import { AuthCard } from './auth-card';

/** better-auth answers wrong credentials and wrong codes with these; say so in the reader's language. */
function isWrongCredentials(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.id === 'INVALID_EMAIL_OR_PASSWORD' ||
      (error.status === 401 && error.id !== 'INVALID_CODE' && !error.id.startsWith('passkey_')))
  );
}

function isWrongCode(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.id === 'INVALID_CODE' ||
      error.id === 'INVALID_BACKUP_CODE' ||
      error.id === 'INVALID_TWO_FACTOR_CODE')
  );
}

export function SignInPage() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [step, setStep] = useState<'password' | 'code'>('password');
  const [useBackup, setUseBackup] = useState(false);
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  useDocumentTitle(step === 'code' ? t('signIn.codeTitle') : t('signIn.title'));

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (v.trim() ? null : t('validation.emailRequired')),
      password: (v) => (v ? null : t('validation.passwordRequired')),
    },
  });
  const codeForm = useForm({
    mode: 'uncontrolled',
    initialValues: { code: '' },
    validate: { code: (v) => (v.replace(/\s+/g, '') ? null : t('validation.codeRequired')) },
  });

  if (session.isPending) return <PageLoader />;
  if (session.data) return <Navigate to={next} replace />;

  const finish = async () => {
    await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    navigate(next, { replace: true });
  };

  const submitPassword = form.onSubmit(async ({ email, password }) => {
    setSubmitting(true);
    setError(null);
    try {
      const outcome = await signInWithEmail(email.trim(), password);
      if (outcome === 'second-factor') setStep('code');
      else await finish();
    } catch (e) {
      setError(e);
    } finally {
      setSubmitting(false);
    }
  });

  const withPasskey = async () => {
    setPasskeyBusy(true);
    setError(null);
    try {
      await authenticateWithPasskey();
      await finish();
    } catch (e) {
      // One message whatever the cause, as for passwords; cancelling is said plainly.
      setError(
        e instanceof ApiError && e.id !== 'passkey_cancelled' ? new ApiError(401, 'passkey_failed', '') : e,
      );
    } finally {
      setPasskeyBusy(false);
    }
  };

  const submitCode = codeForm.onSubmit(async ({ code }) => {
    setSubmitting(true);
    setError(null);
    try {
      await verifySecondFactor(code, useBackup ? 'backup' : 'totp');
      await finish();
    } catch (e) {
      setError(e);
      codeForm.setFieldValue('code', '');
    } finally {
      setSubmitting(false);
    }
  });

  // At the code step every refusal means the code (the server words all sign-in failures alike).
  const errorView =
    isWrongCode(error) || (step === 'code' && isApiError(error, 401)) ? (
      <Alert
        color="red"
        variant="light"
        role="alert"
        title={t('signIn.failedTitle')}
        data-testid="error-alert"
      >
        {t('signIn.wrongCode')}
      </Alert>
    ) : isWrongCredentials(error) && step === 'password' ? (
      <Alert
        color="red"
        variant="light"
        role="alert"
        title={t('signIn.failedTitle')}
        data-testid="error-alert"
      >
        {t('signIn.failed')}
      </Alert>
    ) : error ? (
      <ErrorAlert error={error} />
    ) : null;

  if (step === 'code') {
    return (
      <AuthCard
        title={t('signIn.codeTitle')}
        intro={useBackup ? t('signIn.backupIntro') : t('signIn.codeIntro')}
      >
        {errorView}
        <form onSubmit={submitCode} noValidate>
          <Stack gap="md">
            {useBackup ? (
              <TextInput
                label={t('fields.backupCode')}
                autoComplete="off"
                required
                key={codeForm.key('code')}
                {...codeForm.getInputProps('code')}
              />
            ) : (
              <CodeField
                label={t('fields.code')}
                required
                data-autofocus
                key={codeForm.key('code')}
                {...codeForm.getInputProps('code')}
              />
            )}
            <Button type="submit" loading={submitting} fullWidth data-testid="code-submit">
              {t('signIn.verify')}
            </Button>
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                setUseBackup((v) => !v);
                setError(null);
                codeForm.reset();
              }}
            >
              {useBackup ? t('signIn.useApp') : t('signIn.useBackup')}
            </Anchor>
          </Stack>
        </form>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t('signIn.title')} intro={t('signIn.intro')}>
      {params.get('burned') && !error && (
        <Alert
          color="red"
          variant="light"
          role="status"
          title={t('signIn.burnedTitle')}
          data-testid="burned-notice"
        >
          {t('signIn.burned')}
        </Alert>
      )}
      {params.get('expired') && !error && (
        <Alert color="yellow" variant="light" role="status">
          {t('signIn.expired')}
        </Alert>
      )}
      {errorView}
      <form onSubmit={submitPassword} noValidate>
        <Stack gap="md">
          <TextInput
            label={t('fields.email')}
            type="email"
            autoComplete="username"
            required
            key={form.key('email')}
            {...form.getInputProps('email')}
          />
          <PasswordField
            label={t('fields.password')}
            autoComplete="current-password"
            required
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={submitting} fullWidth data-testid="sign-in-submit">
            {t('signIn.submit')}
          </Button>
        </Stack>
      </form>
      {passkeysSupported() && (
        <>
          <Divider label={t('signIn.or')} labelPosition="center" />
          <Button
            variant="default"
            fullWidth
            loading={passkeyBusy}
            onClick={withPasskey}
            data-testid="sign-in-passkey"
          >
            {t('signIn.withPasskey')}
          </Button>
        </>
      )}
    </AuthCard>
  );
}
