import {
  Anchor,
  Button,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { DataTable } from '../../../../web/components/data-table';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { FormToggle } from '../../../../web/components/form-toggle';
import { useDateFormat } from '../../../../web/components/format';
import { useMoney } from '../../../../web/components/money';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { type BatchList, batchLink, GIVING_CURRENCIES, givingKeys, parseMinor } from './giving-api';
import { BatchStatusBadge, useGivingT } from './ui';

/** Batches of offline gifts, open ones first; development staff open a new one here. */
export function BatchListView() {
  const { t } = useGivingT();
  useDocumentTitle(t('sections.batches'));
  const money = useMoney();
  const date = useDateFormat();
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
          <FormToggle label={t('batches.open')} testId="batch-open-toggle" emphasis>
            {() => <OpenBatchForm />}
          </FormToggle>
        </Section>
      )}
      <DataTable
        query={batches}
        rows={rows}
        empty={t('batches.empty')}
        emptyTestId="batch-list-empty"
        label={t('sections.batches')}
        minWidth={720}
        testId="batch-list"
        caption={t('batches.caption')}
        columns={[
          { header: t('batches.name') },
          { header: t('batches.status') },
          { header: t('batches.gifts'), align: 'right' },
          { header: t('batches.entered'), align: 'right' },
          { header: t('batches.controlTotal'), align: 'right' },
          { header: t('batches.difference'), align: 'right' },
          { header: t('batches.opened') },
        ]}
        renderRow={(b) => (
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
        )}
      />
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
