import { Button, Group, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { Section } from '../components/section';
import { passkeysSupported, registerPasskey } from '../passkey';
import { SESSION_KEY } from '../session';
import { MY_SECURITY_KEY } from './step-up';

export function PasskeysSection({
  passkeys,
}: {
  passkeys: {
    id: string;
    name: string | null;
    deviceType: string;
    backedUp: boolean;
    createdAt: string | null;
  }[];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const [name, setName] = useState('');
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: MY_SECURITY_KEY }),
      queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
    ]);
  return (
    <Section
      title={t('security.passkeys.title')}
      intro={t('security.passkeys.intro')}
      testId="security-passkeys"
      variant="roomy"
      headingId="security-passkeys-title"
    >
      {error ? <ErrorAlert error={error} /> : null}
      {passkeys.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="passkeys-empty">
          {t('security.passkeys.none')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={0}>
          <Table verticalSpacing="xs" data-testid="passkeys-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('security.passkeys.name')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('security.passkeys.kind')}</Table.Th>
                <Table.Th visibleFrom="xs">{t('security.passkeys.added')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {passkeys.map((p) => (
                <Table.Tr key={p.id} data-testid="passkey-row">
                  <Table.Td fw={600}>{p.name || t('security.passkeys.unnamed')}</Table.Td>
                  <Table.Td visibleFrom="sm">
                    {p.backedUp ? t('security.passkeys.synced') : t('security.passkeys.device')}
                  </Table.Td>
                  <Table.Td visibleFrom="xs">{formatDate(p.createdAt)}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      variant="subtle"
                      color="red.9"
                      c="red.9"
                      size="compact-sm"
                      onClick={() => setRemoving(p.id)}
                      aria-label={t('security.passkeys.removeNamed', {
                        name: p.name || t('security.passkeys.unnamed'),
                      })}
                      data-testid="passkey-remove"
                    >
                      {t('security.passkeys.remove')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {passkeysSupported() ? (
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            label={t('passkey.nameLabel')}
            value={name}
            maxLength={60}
            onChange={(e) => setName(e.currentTarget.value)}
            w={{ base: '100%', xs: 260 }}
            data-testid="passkey-name"
          />
          <Button
            loading={adding}
            variant="light"
            data-testid="add-passkey"
            onClick={async () => {
              setAdding(true);
              setError(null);
              try {
                await registerPasskey(name.trim() || undefined);
                setName('');
                await refresh();
              } catch (e) {
                setError(e);
              } finally {
                setAdding(false);
              }
            }}
          >
            {t('security.passkeys.add')}
          </Button>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('passkey.unsupported')}
        </Text>
      )}
      <ConfirmDialog
        opened={removing !== null}
        title={t('security.passkeys.removeTitle')}
        body={t('security.passkeys.removeBody')}
        confirmLabel={t('security.passkeys.remove')}
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          await api.delete(`/api/me/passkeys/${encodeURIComponent(removing ?? '')}`);
          await refresh();
        }}
        testId="passkey-remove-confirm"
      />
    </Section>
  );
}
