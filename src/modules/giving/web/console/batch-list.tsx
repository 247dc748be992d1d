import {
  Anchor,
  Button,
  Collapse,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useDateFormat } from '../../../../web/components/format';
import { PageLoader } from '../../../../web/components/page-loader';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { type BatchList, batchLink, GIVING_CURRENCIES, givingKeys, parseMinor } from './giving-api';
import { BatchStatusBadge, ScrollTable, Section, toast, useGivingT, useMoney } from './ui';

/** Batches of offline gifts, open ones first; development staff open a new one here. */
export function BatchListView() {
  const { t } = useGivingT();
  useDocumentTitle(t('sections.batches'));
  const money = useMoney();
  const date = useDateFormat();
  const [opening, setOpening] = useState(false);
  const batches = useQuery({
    queryKey: givingKeys.batches,
    queryFn: () => api.get<BatchList>('/api/giving/batches'),
  });
  const rows = batches.data?.batches ?? [];
  const canWrite = batches.data?.allowedActions.includes('create') ?? false;

  return (
    <Stack gap="md">
      <Group justify="flex-end">
        <CsvDownload href={csvHref('/api/giving/batches')} label={t('downloadCsv')} testId="batch-list-csv" />
      </Group>
      {canWrite && (
        <Section title={t('batches.openTitle')} testId="batch-open-section">
          <Text size="sm" mb="sm">
            {t('batches.openIntro')}
          </Text>
          <Button
            variant={opening ? 'default' : 'filled'}
            onClick={() => setOpening((o) => !o)}
            aria-expanded={opening}
            data-testid="batch-open-toggle"
          >
            {t('batches.open')}
          </Button>
          <Collapse expanded={opening}>{opening && <OpenBatchForm />}</Collapse>
        </Section>
      )}
      {batches.isPending ? (
        <PageLoader />
      ) : batches.isError ? (
        <ErrorAlert error={batches.error} />
      ) : rows.length === 0 ? (
        <Text data-testid="batch-list-empty">{t('batches.empty')}</Text>
      ) : (
        <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
          <ScrollTable minWidth={720} label={t('sections.batches')}>
            <Table verticalSpacing="sm" data-testid="batch-list">
              <Table.Caption>{t('batches.caption')}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('batches.name')}</Table.Th>
                  <Table.Th>{t('batches.status')}</Table.Th>
                  <Table.Th ta="right">{t('batches.gifts')}</Table.Th>
                  <Table.Th ta="right">{t('batches.entered')}</Table.Th>
                  <Table.Th ta="right">{t('batches.controlTotal')}</Table.Th>
                  <Table.Th ta="right">{t('batches.difference')}</Table.Th>
                  <Table.Th>{t('batches.opened')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((b) => (
                  <Table.Tr key={b.id} data-testid="batch-row" data-id={b.id}>
                    <Table.Td>
                      <Anchor component={Link} to={batchLink(b.id)} fw={600}>
                        {b.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <BatchStatusBadge status={b.status} />
                    </Table.Td>
                    <Table.Td ta="right">{b.gifts}</Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {money(b.enteredMinor, b.currency)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {money(b.controlTotalMinor, b.currency)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {money(b.controlTotalMinor - b.enteredMinor, b.currency)}
                    </Table.Td>
                    <Table.Td>{date(b.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </Paper>
      )}
    </Stack>
  );
}

function OpenBatchForm() {
  const { t } = useGivingT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: '', currency: 'USD', controlTotal: '' },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.required')),
      controlTotal: (v, values) => (parseMinor(v, values.currency) === null ? t('validation.amount') : null),
    },
  });
  const open = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post<{ id: string }>('/api/giving/batches', {
        name: v.name.trim(),
        currency: v.currency,
        controlTotalMinor: parseMinor(v.controlTotal, v.currency),
      }),
    onSuccess: async (batch) => {
      toast(t('batches.openedToast'));
      await queryClient.invalidateQueries({ queryKey: givingKeys.batches });
      navigate(batchLink(batch.id));
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => open.mutate(v))} noValidate data-testid="batch-open-form">
      <Stack gap="sm" mt="md">
        {open.isError && <ErrorAlert error={open.error} />}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label={t('batches.name')}
            description={t('batches.nameHelp')}
            required
            data-testid="batch-name"
            {...form.getInputProps('name')}
          />
          <NativeSelect
            label={t('batches.currency')}
            description={t('batches.currencyHelp')}
            data={[...GIVING_CURRENCIES]}
            data-testid="batch-currency"
            {...form.getInputProps('currency')}
          />
          <TextInput
            label={t('batches.controlTotal')}
            description={t('batches.controlTotalHelp')}
            inputMode="decimal"
            required
            data-testid="batch-control-total"
            {...form.getInputProps('controlTotal')}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={open.isPending} data-testid="batch-open-submit">
            {t('batches.openSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
