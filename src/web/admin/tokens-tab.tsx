import { Badge, Button, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PageLoader } from '../components/page-loader';
import { ScrollTable } from '../components/scroll-table';
import { toast } from '../components/toast';

interface AdminToken {
  id: string;
  name: string;
  access: 'read' | 'write';
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
  owner: { id: string; name: string; role: string };
}

const TOKENS_KEY = ['admin', 'api-tokens'] as const;

/**
 * Every API token of every account (never a secret): who owns it, what it may call, when it ends and was
 * last used; administrators and security leads revoke any of them.
 */
export function TokensTab() {
  const { t } = useTranslation();
  const formatDate = useDateFormat();
  const queryClient = useQueryClient();
  const [revoking, setRevoking] = useState<AdminToken | null>(null);
  const tokens = useQuery({
    queryKey: TOKENS_KEY,
    queryFn: () => api.get<{ tokens: AdminToken[] }>('/api/admin/api-tokens'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/admin/api-tokens/${encodeURIComponent(id)}`),
    onSuccess: () => {
      toast(t('people.tokens.revoked'));
      return queryClient.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  if (tokens.isPending) return <PageLoader />;
  if (tokens.isError) return <ErrorAlert error={tokens.error} />;
  const live = tokens.data.tokens.filter((k) => !k.revoked && new Date(k.expiresAt) > new Date());
  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
      <Stack gap="sm">
        <Text size="sm">{t('people.tokens.intro')}</Text>
        {revoke.isError && <ErrorAlert error={revoke.error} />}
        {live.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="admin-tokens-empty">
            {t('people.tokens.none')}
          </Text>
        ) : (
          <ScrollTable minWidth={720} label={t('people.tabs.tokens')}>
            <Table verticalSpacing="xs" data-testid="admin-tokens-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('people.tokens.owner')}</Table.Th>
                  <Table.Th>{t('people.tokens.name')}</Table.Th>
                  <Table.Th>{t('people.tokens.scopes')}</Table.Th>
                  <Table.Th>{t('people.tokens.expires')}</Table.Th>
                  <Table.Th>{t('people.tokens.lastUsed')}</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {live.map((k) => (
                  <Table.Tr key={k.id} data-testid="admin-token-row">
                    <Table.Td>
                      {k.owner.name}{' '}
                      <Badge variant="dot" c="gray.9" size="sm">
                        {k.owner.role}
                      </Badge>
                    </Table.Td>
                    <Table.Td fw={600}>{k.name}</Table.Td>
                    <Table.Td>
                      {t(`security.tokens.access.${k.access}`)} · {k.scopes.join(', ') || '—'}
                    </Table.Td>
                    <Table.Td>{formatDate(k.expiresAt)}</Table.Td>
                    <Table.Td>
                      {k.lastUsedAt ? formatDate(k.lastUsedAt) : t('security.tokens.never')}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red.9"
                        c="red.9"
                        onClick={() => setRevoking(k)}
                        aria-label={t('security.tokens.revokeNamed', { name: k.name })}
                        data-testid="admin-token-revoke"
                      >
                        {t('security.tokens.revoke')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Stack>
      <ConfirmDialog
        opened={revoking !== null}
        title={t('security.tokens.revokeTitle')}
        body={t('security.tokens.revokeBody', { name: revoking?.name ?? '' })}
        confirmLabel={t('security.tokens.revoke')}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await revoke.mutateAsync(revoking?.id ?? '');
        }}
        testId="admin-token-revoke-confirm"
      />
    </Paper>
  );
}
