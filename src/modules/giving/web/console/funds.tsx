import {
  Badge,
  Button,
  Checkbox,
  Collapse,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, fieldErrors } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { PageLoader } from '../../../../web/components/page-loader';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { type FundList, givingKeys } from './giving-api';
import { ScrollTable, Section, toast, useGivingT, useMoney } from './ui';

/** Funds and their balances, one per currency (never converted); development staff add a fund here. */
export function FundsView() {
  const { t } = useGivingT();
  useDocumentTitle(t('sections.funds'));
  const money = useMoney();
  const [creating, setCreating] = useState(false);
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
          <Button
            variant={creating ? 'default' : 'filled'}
            onClick={() => setCreating((c) => !c)}
            aria-expanded={creating}
            data-testid="fund-create-toggle"
          >
            {t('funds.create')}
          </Button>
          <Collapse expanded={creating}>
            {creating && <CreateFundForm onDone={() => setCreating(false)} />}
          </Collapse>
        </Section>
      )}
      {funds.isPending ? (
        <PageLoader />
      ) : funds.isError ? (
        <ErrorAlert error={funds.error} />
      ) : rows.length === 0 ? (
        <Text data-testid="fund-list-empty">{t('funds.empty')}</Text>
      ) : (
        <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
          <ScrollTable minWidth={560} label={t('sections.funds')}>
            <Table verticalSpacing="sm" data-testid="fund-list">
              <Table.Caption>{t('funds.caption')}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('funds.name')}</Table.Th>
                  <Table.Th>{t('funds.code')}</Table.Th>
                  <Table.Th>{t('funds.kind')}</Table.Th>
                  <Table.Th ta="right">{t('funds.balances')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((f) => (
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
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </Paper>
      )}
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
