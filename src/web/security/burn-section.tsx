import { Button, Group, List, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { Section } from '../components/section';
import { SESSION_KEY } from '../session';

export function BurnSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setOpened(false);
    setTyped('');
    setError(null);
  };
  const burn = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/me/burn', { confirm: 'BURN' });
      // Every session is gone on the server; forget everything here too.
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
      navigate('/sign-in?burned=1', { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Section
      title={t('security.burn.title')}
      intro={t('security.burn.intro')}
      testId="security-burn"
      danger
      variant="roomy"
      headingId="security-burn-title"
    >
      <List size="sm" spacing={4}>
        <List.Item>{t('security.burn.what1')}</List.Item>
        <List.Item>{t('security.burn.what2')}</List.Item>
        <List.Item>{t('security.burn.what3')}</List.Item>
        <List.Item>{t('security.burn.what4')}</List.Item>
      </List>
      <Group>
        <Button color="red.9" onClick={() => setOpened(true)} data-testid="burn-open">
          {t('security.burn.button')}
        </Button>
      </Group>
      <Modal
        opened={opened}
        onClose={close}
        title={t('security.burn.confirmTitle')}
        closeButtonProps={{ 'aria-label': t('shell.close') }}
      >
        <Stack gap="md">
          {error ? <ErrorAlert error={error} /> : null}
          <Text size="sm">{t('security.burn.confirmBody')}</Text>
          <TextInput
            label={t('security.burn.typeLabel')}
            description={t('security.burn.typeHint')}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            data-autofocus
            data-testid="burn-confirm-input"
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red.9"
              disabled={typed.trim() !== 'BURN'}
              loading={busy}
              onClick={burn}
              data-testid="burn-submit"
            >
              {t('security.burn.submit')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}
