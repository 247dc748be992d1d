import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, api, fieldErrors } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { PasswordField } from '../components/password-field';
import { useDocumentTitle } from '../components/use-document-title';
import { SESSION_KEY } from '../session';
import { AuthCard } from './auth-card';
import { PASSWORD_MAX, PASSWORD_MIN } from './setup-page';

interface Invitation {
  email: string;
  name: string;
  role: string;
  reEnrolment: boolean;
}

/**
 * `/invite#<token>`: an invitation or a re-enrolment link. The token stays in the fragment (never in a
 * server log) and travels to the API in a request body. After the password, the console asks for the
 * second factor.
 */
export function InvitePage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const token = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  const [error, setError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.post<Invitation>('/api/invitations/lookup', { token }),
    enabled: token.length > 0,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const re = invitation.data?.reEnrolment ?? false;
  useDocumentTitle(re ? t('invite.reTitle') : t('invite.title'));

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '' },
    validate: {
      password: (v) =>
        v.length < PASSWORD_MIN
          ? t('validation.passwordTooShort', { min: PASSWORD_MIN })
          : v.length > PASSWORD_MAX
            ? t('validation.passwordTooLong', { max: PASSWORD_MAX })
            : null,
    },
  });

  if (!token) {
    return (
      <AuthCard title={t('invite.title')}>
        <Alert color="yellow" variant="light" role="status" title={t('invite.noTokenTitle')}>
          {t('invite.noToken')}
        </Alert>
      </AuthCard>
    );
  }
  if (invitation.isPending) return <PageLoader />;
  if (invitation.isError) {
    const gone = invitation.error instanceof ApiError && invitation.error.status === 410;
    return (
      <AuthCard title={t('invite.title')}>
        {gone ? (
          <Alert
            color="red"
            variant="light"
            role="alert"
            title={t('invite.invalidTitle')}
            data-testid="invite-invalid"
          >
            {t('invite.invalid')}
          </Alert>
        ) : (
          <ErrorAlert error={invitation.error} />
        )}
        <Anchor component={Link} to="/sign-in" fw={600}>
          {t('setup.goToSignIn')}
        </Anchor>
      </AuthCard>
    );
  }

  const who = invitation.data;
  const submit = form.onSubmit(async ({ password }) => {
    setSubmitting(true);
    setError(null);
    try {
      const answer = await api.post<{ signedIn: boolean }>('/api/invitations/accept', { token, password });
      await queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      // Replace, so the spent link leaves the history; the console asks for the second factor next.
      navigate(answer.signedIn ? '/console' : '/sign-in', { replace: true });
    } catch (e) {
      const fields = fieldErrors(e, ['password']);
      if (fields.password) form.setFieldError('password', fields.password);
      else setError(e);
      setSubmitting(false);
    }
  });

  return (
    <AuthCard
      title={re ? t('invite.reTitle') : t('invite.title')}
      intro={
        re
          ? t('invite.reIntro', { name: who.name })
          : t('invite.intro', { name: who.name, role: t(`roles.${who.role}`, { defaultValue: who.role }) })
      }
    >
      {error ? <ErrorAlert error={error} /> : null}
      <form onSubmit={submit} noValidate data-testid="invite-form">
        <Stack gap="md">
          <TextInput
            label={t('fields.email')}
            value={who.email}
            readOnly
            autoComplete="username"
            data-testid="invite-email"
          />
          <PasswordField
            label={re ? t('invite.newPassword') : t('fields.password')}
            description={t('setup.passwordHint', { min: PASSWORD_MIN, max: PASSWORD_MAX })}
            autoComplete="new-password"
            required
            data-autofocus
            maxLength={PASSWORD_MAX}
            data-testid="invite-password"
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Text size="sm" c="dimmed">
            {t('invite.next')}
          </Text>
          <Button type="submit" loading={submitting} fullWidth data-testid="invite-submit">
            {re ? t('invite.reSubmit') : t('invite.submit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
