import {
  Badge,
  Button,
  Checkbox,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fieldErrors } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { DataTable } from '../../../../web/components/data-table';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { FormToggle } from '../../../../web/components/form-toggle';
import { useMoney } from '../../../../web/components/money';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { type FundList, givingKeys } from './giving-api';
import { useGivingT } from './ui';

/** Funds and their balances, one per currency (never converted); development staff add a fund here. */
export function FundsView() {
  const { t } = useGivingT();
  useDocumentTitle(t('sections.funds'));
  const money = useMoney();
  const funds = useQuery({
    queryKey: givingKeys.funds,
    queryFn: () => api.get<FundList>('/api/giving/funds'),
  });
  const rows = funds.data?.funds ?? [];
  const canWrite = funds.data?.allowedActions.includes('create') ?? false;

  return (
    <Stack gap="md">
      <Group justify="flex-end">
        <CsvDownload href={csvHref('/api/giving/funds')} label={t('downloadCsv')} testId="fund-list-csv" />
      </Group>
      {canWrite && (
        <Section title={t('funds.createTitle')} testId="fund-create-section">
          <FormToggle label={t('funds.create')} testId="fund-create-toggle" emphasis>
            {(close) => <CreateFundForm onDone={close} />}
          </FormToggle>
        </Section>
      )}
      <DataTable
        query={funds}
        rows={rows}
        empty={t('funds.empty')}
        emptyTestId="fund-list-empty"
        label={t('sections.funds')}
        minWidth={560}
        testId="fund-list"
        caption={t('funds.caption')}
        columns={[
          { header: t('funds.name') },
          { header: t('funds.code') },
          { header: t('funds.kind') },
          { header: t('funds.balances'), align: 'right' },
        ]}
        renderRow={(f) => (
          <Table.Tr key={f.id} data-testid="fund-row" data-code={f.code}>
            <Table.Td>
              <Text size="sm" fw={600}>
                {f.name}
              </Text>
              {f.description && (
                <Text size="xs" c="dimmed">
                  {f.description}
                </Text>
              )}
            </Table.Td>
            <Table.Td ff="monospace">{f.code}</Table.Td>
            <Table.Td>
              <Badge variant="dot" c="gray.9" color={f.restricted ? 'orange' : 'blue'}>
                {f.restricted ? t('funds.restricted') : t('funds.unrestricted')}
              </Badge>
            </Table.Td>
            <Table.Td ta="right" ff="monospace" data-testid="fund-balances">
              {f.balances.length === 0
                ? '—'
                : f.balances.map((b) => (
                    <Text
                      size="sm"
                      key={b.currency}
                      inherit
                      data-testid="fund-balance"
                      data-currency={b.currency}
                    >
                      {money(b.balanceMinor, b.currency)}
                    </Text>
                  ))}
            </Table.Td>
          </Table.Tr>
        )}
      />
    </Stack>
  );
}

function CreateFundForm({ onDone }: { onDone: () => void }) {
  const { t } = useGivingT();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { code: '', name: '', restricted: false, description: '' },
    validate: {
      code: (v) => (/^[a-z0-9][a-z0-9-]{1,59}$/.test(v.trim()) ? null : t('campaigns.codeInvalid')),
      name: (v) => (v.trim() ? null : t('validation.required')),
    },
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post('/api/giving/funds', {
        code: v.code.trim(),
        name: v.name.trim(),
        restricted: v.restricted,
        ...(v.description.trim() ? { description: v.description.trim() } : {}),
      }),
    onSuccess: async () => {
      toast(t('funds.created'));
      await queryClient.invalidateQueries({ queryKey: givingKeys.funds });
      onDone();
    },
    onError: (error) => form.setErrors(fieldErrors(error, ['code', 'name', 'description'])),
  });
  return (
    <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate data-testid="fund-form">
      <Stack gap="sm" mt="md">
        {create.isError && <ErrorAlert error={create.error} />}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label={t('funds.name')}
            required
            data-testid="fund-name"
            {...form.getInputProps('name')}
          />
          <TextInput
            label={t('funds.code')}
            description={t('campaigns.codeHelp')}
            required
            data-testid="fund-code"
            {...form.getInputProps('code')}
          />
        </SimpleGrid>
        <Checkbox
          label={t('funds.restrictedLabel')}
          description={t('funds.restrictedHelp')}
          data-testid="fund-restricted"
          {...form.getInputProps('restricted', { type: 'checkbox' })}
        />
        <Textarea
          label={t('funds.description')}
          autosize
          minRows={2}
          maxLength={1000}
          {...form.getInputProps('description')}
        />
        <Group>
          <Button type="submit" loading={create.isPending} data-testid="fund-submit">
            {t('funds.createSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
