import {
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fieldErrors } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useDateFormat } from '../../../../web/components/format';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { type Allocations, type CampaignProgress, givingKeys } from './giving-api';
import { useGivingT } from './ui';

const CASE_CODE = /^[A-Z]+-[A-Z]+-[0-9]{2}$/;

/**
 * Funded units of the rescue fund given to a rescue case by its code. The server checks the code through
 * the rescues module and answers nothing about the case: this page shows codes and unit counts only.
 */
export function AllocateView() {
  const { t } = useGivingT();
  useDocumentTitle(t('sections.allocations'));
  const money = useMoney();
  const date = useDateFormat();
  const allocations = useQuery({
    queryKey: givingKeys.allocations,
    queryFn: () => api.get<Allocations>('/api/giving/allocations'),
  });

  if (allocations.isPending) return <PageLoader />;
  if (allocations.isError) return <ErrorAlert error={allocations.error} />;
  const a = allocations.data;
  return (
    <Stack gap="md">
      <Section title={t('allocate.title')} testId="allocate-section">
        <Stack gap="sm">
          <Text size="sm">{t('allocate.intro', { price: money(a.unitMinor, a.currency) })}</Text>
          <Text fw={600} data-testid="allocate-available">
            {t('allocate.available', { count: a.unitsAvailable })}
          </Text>
          {a.allowedActions.includes('create') && <AllocateForm available={a.unitsAvailable} />}
        </Stack>
      </Section>
      <Group justify="flex-end">
        <CsvDownload
          href={csvHref('/api/giving/allocations')}
          label={t('downloadCsv')}
          testId="allocate-list-csv"
        />
      </Group>
      <Section title={t('allocate.given')} testId="allocate-history">
        {a.allocations.length === 0 ? (
          <Text size="sm" data-testid="allocate-empty">
            {t('allocate.none')}
          </Text>
        ) : (
          <ScrollTable minWidth={480} label={t('allocate.given')}>
            <Table verticalSpacing={6} data-testid="allocate-list">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('allocate.caseCode')}</Table.Th>
                  <Table.Th ta="right">{t('allocate.units')}</Table.Th>
                  <Table.Th>{t('gifts.campaign')}</Table.Th>
                  <Table.Th>{t('allocate.when')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {a.allocations.map((row) => (
                  <Table.Tr key={row.id} data-testid="allocation-row">
                    <Table.Td ff="monospace">{row.caseCode}</Table.Td>
                    <Table.Td ta="right">{row.units}</Table.Td>
                    <Table.Td data-testid="allocation-campaign">{row.campaignName ?? '—'}</Table.Td>
                    <Table.Td>{date(row.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Section>
    </Stack>
  );
}

/**
 * Campaigns units may be given for: open and past ones (their funded rescues reach a case now or later),
 * not those yet to start. Open ones first, each group by name; a past one says it has ended.
 */
function useAllocationCampaigns() {
  const { t } = useGivingT();
  const campaigns = useQuery({
    queryKey: givingKeys.campaigns,
    queryFn: () => api.get<{ campaigns: CampaignProgress[] }>('/api/giving/campaigns'),
  });
  const now = Date.now();
  const started = (campaigns.data?.campaigns ?? []).filter((c) => Date.parse(c.startsAt) <= now);
  const ended = (c: CampaignProgress) => c.endsAt !== null && Date.parse(c.endsAt) <= now;
  const byName = (a: CampaignProgress, b: CampaignProgress) => a.name.localeCompare(b.name);
  return {
    campaigns,
    options: [
      ...started
        .filter((c) => !ended(c))
        .sort(byName)
        .map((c) => ({ value: c.code, label: c.name })),
      ...started
        .filter(ended)
        .sort(byName)
        .map((c) => ({ value: c.code, label: t('allocate.campaignEnded', { name: c.name }) })),
    ],
  };
}

function AllocateForm({ available }: { available: number }) {
  const { t } = useGivingT();
  const queryClient = useQueryClient();
  const { campaigns, options } = useAllocationCampaigns();
  const form = useForm({
    initialValues: { caseCode: '', units: 1 as number | string, campaign: '' },
    validate: {
      caseCode: (v) => (CASE_CODE.test(v.trim().toUpperCase()) ? null : t('allocate.codeInvalid')),
      units: (v) =>
        Number.isInteger(v) && Number(v) >= 1 && Number(v) <= 100 ? null : t('allocate.unitsInvalid'),
    },
  });
  const give = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post<{ caseCode: string; units: number; unitsLeft: number }>('/api/giving/allocations', {
        caseCode: v.caseCode.trim().toUpperCase(),
        units: Number(v.units),
        // Optional: the campaign whose donors hear (delayed, de-identified) when the case reaches safety.
        ...(v.campaign ? { campaign: v.campaign } : {}),
      }),
    onSuccess: async (r) => {
      toast(t('allocate.done', { count: r.units, code: r.caseCode }));
      form.reset();
      await queryClient.invalidateQueries({ queryKey: givingKeys.allocations });
    },
    onError: (error) => {
      const issues = fieldErrors(error, ['caseCode', 'units', 'campaign']);
      if (Object.keys(issues).length) form.setErrors(issues);
    },
  });
  return (
    <Paper withBorder radius="sm" p="sm">
      <form onSubmit={form.onSubmit((v) => give.mutate(v))} noValidate data-testid="allocate-form">
        <Stack gap="sm">
          {give.isError && <ErrorAlert error={give.error} testId="allocate-error" />}
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
            <TextInput
              label={t('allocate.caseCode')}
              description={t('allocate.caseCodeHelp')}
              required
              autoComplete="off"
              spellCheck={false}
              data-testid="allocate-code"
              {...form.getInputProps('caseCode')}
            />
            <NumberInput
              label={t('allocate.units')}
              min={1}
              max={100}
              allowDecimal={false}
              allowNegative={false}
              required
              data-testid="allocate-units"
              {...form.getInputProps('units')}
            />
            <NativeSelect
              label={t('allocate.campaign')}
              description={t('allocate.campaignHelp')}
              data={[{ value: '', label: t('allocate.noCampaign') }, ...options]}
              disabled={campaigns.isPending}
              data-testid="allocate-campaign"
              {...form.getInputProps('campaign')}
            />
          </SimpleGrid>
          {campaigns.isError && <ErrorAlert error={campaigns.error} />}
          <Group>
            <Button
              type="submit"
              loading={give.isPending}
              disabled={available === 0}
              data-testid="allocate-submit"
            >
              {t('allocate.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
