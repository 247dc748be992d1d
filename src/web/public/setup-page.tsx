import { Alert, Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { PasswordField } from '../components/password-field';
import { useDocumentTitle } from '../components/use-document-title';
import { SESSION_KEY, signInWithEmail } from '../session';
import { AuthCard } from './auth-card';

/** Same limits as the server (platform/auth/password.ts); the server stays the judge. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const FIELDS = ['name', 'email', 'password'] as const;
type Field = (typeof FIELDS)[number];

export function SetupPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // The token travels in the fragment so it never reaches a server log or a Referer header.
  const token = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  useDocumentTitle(t('setup.title'));

  const status = useQuery({
    queryKey: ['setup'],
    queryFn: () => api.get<{ needed: boolean }>('/api/setup'),
    staleTime: 0,
  });

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { name: '', email: '', password: '' },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.nameRequired')),
      email: (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : t('validation.emailInvalid')),
      password: (v) =>
        v.length < PASSWORD_MIN
          ? t('validation.passwordTooShort', { min: PASSWORD_MIN })
          : v.length > PASSWORD_MAX
            ? t('validation.passwordTooLong', { max: PASSWORD_MAX })
            : null,
    },
  });

  if (status.isPending) return <PageLoader />;

  if (status.data && !status.data.needed) {
    return (
      <AuthCard title={t('setup.title')}>
        <Alert color="passage" variant="light" role="status" data-testid="setup-done">
          {t('setup.alreadyDone')}
        </Alert>
        <Anchor component={Link} to="/sign-in" fw={600}>
          {t('setup.goToSignIn')}
        </Anchor>
      </AuthCard>
    );
  }

  if (!token) {
    return (
      <AuthCard title={t('setup.title')}>
        <Alert color="yellow" variant="light" role="status" title={t('setup.noTokenTitle')}>
          {t('setup.noToken')}
        </Alert>
      </AuthCard>
    );
  }

  const submit = form.onSubmit(async (values) => {
    setSubmitting(true);
    setError(null);
    const input = { token, name: values.name.trim(), email: values.email.trim(), password: values.password };
    try {
      await api.post('/api/setup', input);
    } catch (e) {
      if (e instanceof ApiError && e.issues.length) {
        for (const issue of e.issues) {
          if ((FIELDS as readonly string[]).includes(issue.field))
            form.setFieldError(issue.field as Field, issue.message);
        }
      }
      setError(e);
      setSubmitting(false);
      return;
    }
    try {
      await signInWithEmail(input.email, input.password);
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      queryClient.removeQueries({ queryKey: ['setup'] });
      notifications.show({
        color: 'passage',
        title: t('setup.doneTitle'),
        message: t('setup.doneBody'),
        closeButtonProps: { 'aria-label': t('shell.close') },
      });
      // Replace, so the link with its (now spent) token leaves the history.
      navigate('/console', { replace: true });
    } catch {
      navigate('/sign-in', { replace: true });
    }
  });

  return (
    <AuthCard title={t('setup.title')} intro={t('setup.intro')}>
      {error ? <ErrorAlert error={error} /> : null}
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label={t('fields.name')}
            autoComplete="name"
            required
            maxLength={200}
            key={form.key('name')}
            {...form.getInputProps('name')}
          />
          <TextInput
            label={t('fields.email')}
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            key={form.key('email')}
            {...form.getInputProps('email')}
          />
          <PasswordField
            label={t('fields.password')}
            description={t('setup.passwordHint', { min: PASSWORD_MIN, max: PASSWORD_MAX })}
            autoComplete="new-password"
            required
            maxLength={PASSWORD_MAX}
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={submitting} fullWidth data-testid="setup-submit">
            {t('setup.submit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
