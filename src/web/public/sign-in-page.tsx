import { Alert, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { PasswordField } from '../components/password-field';
import { useDocumentTitle } from '../components/use-document-title';
import { SESSION_KEY, safeNextPath, signInWithEmail, useSession } from '../session';
import { AuthCard } from './auth-card';

export function SignInPage() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  useDocumentTitle(t('signIn.title'));

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (v.trim() ? null : t('validation.emailRequired')),
      password: (v) => (v ? null : t('validation.passwordRequired')),
    },
  });

  if (session.isPending) return <PageLoader />;
  if (session.data) return <Navigate to={next} replace />;

  const submit = form.onSubmit(async ({ email, password }) => {
    setSubmitting(true);
    setError(null);
    try {
      await signInWithEmail(email.trim(), password);
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      navigate(next, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setSubmitting(false);
    }
  });

  // better-auth answers a wrong email or password with one generic code; say so in the reader's language.
  const wrongCredentials =
    error instanceof ApiError && (error.id === 'INVALID_EMAIL_OR_PASSWORD' || error.status === 401);

  return (
    <AuthCard title={t('signIn.title')} intro={t('signIn.intro')}>
      {params.get('expired') && !error && (
        <Alert color="yellow" variant="light" role="status">
          {t('signIn.expired')}
        </Alert>
      )}
      {wrongCredentials ? (
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
      ) : null}
      <form onSubmit={submit} noValidate>
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
    </AuthCard>
  );
}
