import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { useDocumentTitle } from '../components/use-document-title';
import { AuthCard } from './auth-card';

/**
 * Supporters (donors, team members) sign in with a link sent by email. The answer is the same
 * whether or not the address has an account, so the form reveals nothing.
 */
export function SupporterSignInPage() {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useDocumentTitle(t('supporter.title'));
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '' },
    validate: {
      email: (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : t('validation.emailInvalid')),
    },
  });
  const submit = form.onSubmit(async ({ email }) => {
    setBusy(true);
    setError(null);
    try {
      // The link lands the supporter on their donor portal.
      await api.post('/api/auth/sign-in/magic-link', { email: email.trim(), callbackURL: '/my' });
      setSentTo(email.trim());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  });
  return (
    <AuthCard title={t('supporter.title')} intro={t('supporter.intro')}>
      {sentTo ? (
        <Alert
          color="passage"
          variant="light"
          role="status"
          title={t('supporter.sentTitle')}
          data-testid="supporter-sent"
        >
          {t('supporter.sent', { email: sentTo })}
        </Alert>
      ) : (
        <>
          {error ? <ErrorAlert error={error} /> : null}
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <TextInput
                label={t('fields.email')}
                type="email"
                autoComplete="email"
                required
                maxLength={254}
                data-testid="supporter-email"
                key={form.key('email')}
                {...form.getInputProps('email')}
              />
              <Button type="submit" loading={busy} fullWidth data-testid="supporter-submit">
                {t('supporter.submit')}
              </Button>
              <Text size="xs" c="dimmed">
                {t('supporter.staffNote')}
              </Text>
            </Stack>
          </form>
        </>
      )}
    </AuthCard>
  );
}
