import { Badge, Button, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { describeUserAgent, useDateFormat } from '../components/format';
import { Section } from '../components/section';
import { MY_SECURITY_KEY } from './step-up';

export function SessionsSection({
  sessions,
}: {
  sessions: {
    id: string;
    current: boolean;
    createdAt: string;
    lastActiveAt: string;
    userAgent: string | null;
    ipAddress: string | null;
  }[];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/me/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MY_SECURITY_KEY }),
  });
  const sorted = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));
  return (
    <Section
      title={t('security.sessions.title')}
      intro={t('security.sessions.intro')}
      testId="security-sessions"
      variant="roomy"
      headingId="security-sessions-title"
    >
      {revoke.isError && <ErrorAlert error={revoke.error} />}
      <Table verticalSpacing="xs" data-testid="sessions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('security.sessions.device')}</Table.Th>
            <Table.Th visibleFrom="md">{t('security.sessions.address')}</Table.Th>
            <Table.Th visibleFrom="sm">{t('security.sessions.signedIn')}</Table.Th>
            <Table.Th visibleFrom="xs">{t('security.sessions.lastActive')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((s) => (
            <Table.Tr key={s.id} data-testid="session-row" data-current={s.current}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {describeUserAgent(s.userAgent) ?? t('security.sessions.unknownDevice')}
                </Text>
              </Table.Td>
              <Table.Td visibleFrom="md">{s.ipAddress ?? '—'}</Table.Td>
              <Table.Td visibleFrom="sm">{formatDate(s.createdAt)}</Table.Td>
              <Table.Td visibleFrom="xs">{formatDate(s.lastActiveAt)}</Table.Td>
              <Table.Td ta="right">
                {s.current ? (
                  <Badge color="passage" variant="dot" c="gray.9" data-testid="session-current">
                    {t('security.sessions.current')}
                  </Badge>
                ) : (
                  <Button
                    variant="subtle"
                    color="red.9"
                    c="red.9"
                    size="compact-sm"
                    loading={revoke.isPending && revoke.variables === s.id}
                    onClick={() => revoke.mutate(s.id)}
                    data-testid="session-revoke"
                  >
                    {t('security.sessions.revoke')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}
