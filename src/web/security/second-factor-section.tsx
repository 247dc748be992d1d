import { Alert, Badge, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PasswordField } from '../components/password-field';
import { RecoveryCodes } from '../components/recovery-codes';
import { Section } from '../components/section';
import { useSession } from '../session';
import { isSteppedUp, STEP_UP_WINDOW_MS, useStepUp } from './step-up';

export function SecondFactorSection({ twoFactorEnabled }: { twoFactorEnabled: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const stepUp = useStepUp();
  const formatDate = useDateFormat();
  const [newCodes, setNewCodes] = useState(false);
  const stepUpAt = session.data?.stepUpAt;
  const open = isSteppedUp(stepUpAt);
  return (
    <Section
      title={t('security.factor.title')}
      testId="security-factor"
      variant="roomy"
      headingId="security-factor-title"
    >
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Text fw={600}>{t('security.factor.app')}</Text>
          <Text size="sm" c="dimmed">
            {twoFactorEnabled ? t('security.factor.appOn') : t('security.factor.appOff')}
          </Text>
        </Stack>
        <Group gap="sm">
          <Badge
            color={twoFactorEnabled ? 'green' : 'gray'}
            variant="dot"
            c="gray.9"
            data-testid="totp-status"
          >
            {twoFactorEnabled ? t('security.on') : t('security.off')}
          </Badge>
          {twoFactorEnabled && (
            <Button
              variant="default"
              size="sm"
              onClick={() => setNewCodes(true)}
              data-testid="new-recovery-codes"
            >
              {t('security.factor.newCodes')}
            </Button>
          )}
        </Group>
      </Group>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Text fw={600}>{t('security.stepUp.title')}</Text>
          <Text size="sm" c="dimmed" data-testid="step-up-status">
            {open && stepUpAt
              ? t('security.stepUp.open', {
                  until: formatDate(new Date(new Date(stepUpAt).getTime() + STEP_UP_WINDOW_MS).toISOString()),
                })
              : t('security.stepUp.closed')}
          </Text>
        </Stack>
        <Button
          variant="default"
          size="sm"
          onClick={() => void stepUp({ force: true })}
          data-testid="step-up-open"
        >
          {t('security.stepUp.button')}
        </Button>
      </Group>
      <NewRecoveryCodes opened={newCodes} onClose={() => setNewCodes(false)} />
    </Section>
  );
}

function NewRecoveryCodes({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '' },
    validate: { password: (v) => (v ? null : t('validation.passwordRequired')) },
  });
  const close = () => {
    setCodes(null);
    setError(null);
    form.reset();
    onClose();
  };
  const submit = form.onSubmit(async ({ password }) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<{ backupCodes: string[] }>('/api/auth/two-factor/generate-backup-codes', {
        password,
      });
      setCodes(answer.backupCodes);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  });
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t('security.factor.newCodesTitle')}
      size="lg"
      closeButtonProps={{ 'aria-label': t('shell.close') }}
    >
      {codes ? (
        <Stack gap="md">
          <Text size="sm">{t('security.factor.newCodesShown')}</Text>
          <RecoveryCodes codes={codes} onDone={close} doneLabel={t('common.done')} />
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <Text size="sm">{t('security.factor.newCodesIntro')}</Text>
            {error instanceof ApiError && error.id === 'INVALID_PASSWORD' ? (
              <Alert color="red" variant="light" role="alert">
                {t('enrol.wrongPassword')}
              </Alert>
            ) : error ? (
              <ErrorAlert error={error} />
            ) : null}
            <PasswordField
              label={t('fields.password')}
              autoComplete="current-password"
              required
              data-autofocus
              key={form.key('password')}
              {...form.getInputProps('password')}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={busy} data-testid="new-recovery-codes-submit">
                {t('security.factor.newCodesSubmit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
