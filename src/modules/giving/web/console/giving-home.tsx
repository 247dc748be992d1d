import { Alert, Anchor, Button, Group, List, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../../../web/api';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import { Section } from '../../../../web/components/section';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { BASE, type BatchSummary, batchLink, givingKeys, type LedgerCheck } from './giving-api';
import { DARK_TITLE, useGivingT } from './ui';

/** The Giving home: the ledger check as a status panel, and the batches still open. */
export function GivingHome() {
  const { t } = useGivingT();
  useDocumentTitle(t('title'));
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <LedgerCheckPanel />
      <OpenBatchesPanel />
    </SimpleGrid>
  );
}

function LedgerCheckPanel() {
  const { t } = useGivingT();
  const queryClient = useQueryClient();
  const check = useQuery({
    queryKey: givingKeys.check,
    queryFn: () => api.get<LedgerCheck>('/api/giving/check'),
  });
  return (
    <Section title={t('check.title')} testId="ledger-check">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('check.intro')}
        </Text>
        {check.isPending ? (
          <PageLoader />
        ) : check.isError ? (
          <ErrorAlert error={check.error} />
        ) : check.data.ok ? (
          <Alert
            color="passage"
            variant="light"
            role="status"
            title={t('check.ok')}
            data-testid="ledger-check-ok"
          >
            {t('check.counts', check.data.counts)}
          </Alert>
        ) : (
          <Alert
            color="red"
            variant="light"
            role="alert"
            styles={DARK_TITLE}
            title={t('check.problems', { count: check.data.problems.length })}
            data-testid="ledger-check-problems"
          >
            <List size="sm">
              {check.data.problems.map((p) => (
                <List.Item key={p}>{p}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group>
          <Button
            variant="default"
            loading={check.isFetching}
            onClick={() => queryClient.invalidateQueries({ queryKey: givingKeys.check })}
            data-testid="ledger-check-run"
          >
            {t('check.again')}
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

function OpenBatchesPanel() {
  const { t } = useGivingT();
  const money = useMoney();
  const batches = useQuery({
    queryKey: givingKeys.batches,
    queryFn: () => api.get<{ batches: BatchSummary[] }>('/api/giving/batches'),
  });
  const open = batches.data?.batches.filter((b) => b.status === 'open') ?? [];
  return (
    <Section title={t('home.openBatches')} testId="home-open-batches">
      {batches.isPending ? (
        <PageLoader />
      ) : batches.isError ? (
        <ErrorAlert error={batches.error} />
      ) : open.length === 0 ? (
        <Text size="sm">{t('home.noOpenBatches')}</Text>
      ) : (
        <ScrollTable minWidth={360} label={t('home.openBatches')}>
          <Table verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('batches.name')}</Table.Th>
                <Table.Th ta="right">{t('batches.difference')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {open.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>
                    <Anchor component={Link} to={batchLink(b.id)}>
                      {b.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td ta="right">{money(b.controlTotalMinor - b.enteredMinor, b.currency)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <Anchor component={Link} to={`${BASE}/batches`} size="sm" mt="sm" display="inline-block">
        {t('home.allBatches')}
      </Anchor>
    </Section>
  );
}
