import {
  Button,
  Code,
  CopyButton,
  Group,
  NativeSelect,
  Paper,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fieldErrors } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { FormToggle } from '../../../../web/components/form-toggle';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { formatMoney, type GivingCurrency } from '../../money';
import {
  type CampaignList,
  type CampaignProgress,
  DEFAULT_UNIT_MINOR,
  dayToIso,
  donateLink,
  type Fund,
  GIVING_CURRENCIES,
  givingKeys,
  parseMinor,
  todayDay,
  widgetSnippet,
} from './giving-api';
import { useGivingT } from './ui';

/** Campaigns with their progress from the ledger, the links to share them, and (development) a new one. */
export function CampaignsView() {
  const { t } = useGivingT();
  useDocumentTitle(t('sections.campaigns'));
  const campaigns = useQuery({
    queryKey: givingKeys.campaigns,
    queryFn: () => api.get<CampaignList>('/api/giving/campaigns'),
  });
  const rows = campaigns.data?.campaigns ?? [];
  const canWrite = campaigns.data?.allowedActions.includes('create') ?? false;

  return (
    <Stack gap="md">
      <Group justify="flex-end">
        <CsvDownload
          href={csvHref('/api/giving/campaigns')}
          label={t('downloadCsv')}
          testId="campaign-list-csv"
        />
      </Group>
      {canWrite && (
        <Section title={t('campaigns.createTitle')} testId="campaign-create-section">
          <FormToggle label={t('campaigns.create')} testId="campaign-create-toggle" emphasis>
            {(close) => <CreateCampaignForm onDone={close} />}
          </FormToggle>
        </Section>
      )}
      {campaigns.isPending ? (
        <PageLoader />
      ) : campaigns.isError ? (
        <ErrorAlert error={campaigns.error} />
      ) : rows.length === 0 ? (
        <Text data-testid="campaign-list-empty">{t('campaigns.empty')}</Text>
      ) : (
        <Stack gap="md" data-testid="campaign-list">
          {rows.map((c) => (
            <CampaignCard key={c.code} campaign={c} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function CampaignCard({ campaign: c }: { campaign: CampaignProgress }) {
  const { t, i18n } = useGivingT();
  const money = useMoney();
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' });
  const origin = window.location.origin;
  const units = c.goalKind === 'units';
  const goal = units ? (c.goalUnits ?? 0) : (c.goalMinor ?? 0);
  const reached = units ? (c.unitsFunded ?? 0) : c.raisedMinor;
  const progressText = units
    ? t('campaigns.unitsProgress', { funded: reached, goal })
    : t('campaigns.moneyProgress', { raised: money(reached, c.currency), goal: money(goal, c.currency) });
  const link = donateLink(origin, c.code);
  const snippet = widgetSnippet(origin, c.code, t('campaigns.widgetTitle', { name: c.name }));
  return (
    <Paper
      withBorder
      radius="md"
      p={{ base: 'sm', sm: 'md' }}
      component="article"
      data-testid="campaign"
      data-code={c.code}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={2} size="h4">
            {c.name}
          </Title>
          <Code>{c.code}</Code>
        </Group>
        <Text size="sm" c="dimmed">
          {c.endsAt
            ? t('campaigns.dates', {
                start: day.format(new Date(c.startsAt)),
                end: day.format(new Date(c.endsAt)),
              })
            : t('campaigns.from', { start: day.format(new Date(c.startsAt)) })}
          {units && c.unitMinor
            ? ` · ${t('campaigns.unitPrice', { price: money(c.unitMinor, c.currency) })}`
            : ''}
        </Text>
        <Text size="sm" fw={600} data-testid="campaign-progress">
          {progressText}
        </Text>
        <Progress
          value={goal ? Math.min(100, (reached / goal) * 100) : 0}
          aria-label={progressText}
          color="green"
          size="md"
        />
        {units && (
          <Text size="xs" c="dimmed">
            {t('campaigns.raised', { raised: money(c.raisedMinor, c.currency) })}
          </Text>
        )}
        {c.otherCurrencies.length > 0 && (
          <Text size="xs" c="dimmed">
            {t('campaigns.otherCurrencies', {
              amounts: c.otherCurrencies.map((o) => money(o.raisedMinor, o.currency)).join(', '),
            })}
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <ShareField label={t('campaigns.donateLink')} value={link} testId="campaign-donate-link" />
          <ShareField label={t('campaigns.widget')} value={snippet} testId="campaign-widget-snippet" />
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

function ShareField({ label, value, testId }: { label: string; value: string; testId: string }) {
  const { t } = useGivingT();
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <TextInput
        label={label}
        value={value}
        readOnly
        style={{ flex: 1 }}
        data-testid={testId}
        onFocus={(e) => e.currentTarget.select()}
      />
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button variant="default" onClick={copy} aria-label={t('campaigns.copyLabel', { what: label })}>
            {copied ? t('campaigns.copied') : t('campaigns.copy')}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

const FIELDS = ['code', 'name', 'goalMinor', 'goalUnits', 'unitMinor', 'fundId', 'startsAt', 'endsAt'];

function CreateCampaignForm({ onDone }: { onDone: () => void }) {
  const { t, i18n } = useGivingT();
  const queryClient = useQueryClient();
  const funds = useQuery({
    queryKey: givingKeys.funds,
    queryFn: () => api.get<{ funds: Fund[] }>('/api/giving/funds'),
  });
  const defaultUnit = (currency: string) =>
    currency === 'USD' ? formatMoney(DEFAULT_UNIT_MINOR, 'USD', 'en').replace(/^\$/, '') : '';
  const form = useForm({
    initialValues: {
      code: '',
      name: '',
      goalKind: 'units' as 'money' | 'units',
      currency: 'USD',
      goal: '',
      goalUnits: '100',
      unitPrice: defaultUnit('USD'),
      fundId: '',
      startsAt: todayDay(),
      endsAt: '',
    },
    validate: {
      code: (v) => (/^[a-z0-9][a-z0-9-]{1,59}$/.test(v.trim()) ? null : t('campaigns.codeInvalid')),
      name: (v) => (v.trim() ? null : t('validation.required')),
      goal: (v, values) =>
        values.goalKind === 'money' && parseMinor(v, values.currency) === null
          ? t('validation.amount')
          : null,
      goalUnits: (v, values) =>
        values.goalKind === 'units' && !/^[1-9]\d{0,5}$/.test(v.trim()) ? t('campaigns.unitsInvalid') : null,
      unitPrice: (v, values) =>
        values.goalKind === 'units' && parseMinor(v, values.currency) === null
          ? t('validation.amount')
          : null,
      fundId: (v) => (v ? null : t('validation.required')),
      startsAt: (v) => (v ? null : t('validation.required')),
      endsAt: (v, values) => (v && v <= values.startsAt ? t('campaigns.endsBeforeStart') : null),
    },
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post('/api/giving/campaigns', {
        code: v.code.trim(),
        name: v.name.trim(),
        goalKind: v.goalKind,
        currency: v.currency,
        ...(v.goalKind === 'money'
          ? { goalMinor: parseMinor(v.goal, v.currency) }
          : { goalUnits: Number(v.goalUnits), unitMinor: parseMinor(v.unitPrice, v.currency) }),
        fundId: v.fundId,
        startsAt: dayToIso(v.startsAt),
        ...(v.endsAt ? { endsAt: dayToIso(v.endsAt) } : {}),
      }),
    onSuccess: async () => {
      toast(t('campaigns.created'));
      await queryClient.invalidateQueries({ queryKey: givingKeys.campaigns });
      onDone();
    },
    onError: (error) => {
      const issues = fieldErrors(error, FIELDS);
      form.setErrors({
        ...(issues.code ? { code: issues.code } : {}),
        ...(issues.name ? { name: issues.name } : {}),
        ...(issues.goalMinor ? { goal: issues.goalMinor } : {}),
        ...(issues.goalUnits ? { goalUnits: issues.goalUnits } : {}),
        ...(issues.unitMinor ? { unitPrice: issues.unitMinor } : {}),
        ...(issues.fundId ? { fundId: issues.fundId } : {}),
        ...(issues.endsAt ? { endsAt: issues.endsAt } : {}),
      });
    },
  });
  const units = form.values.goalKind === 'units';
  return (
    <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate data-testid="campaign-form">
      <Stack gap="sm" mt="md">
        {create.isError && <ErrorAlert error={create.error} />}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label={t('campaigns.name')}
            required
            data-testid="campaign-name"
            {...form.getInputProps('name')}
          />
          <TextInput
            label={t('campaigns.code')}
            description={t('campaigns.codeHelp')}
            required
            data-testid="campaign-code"
            {...form.getInputProps('code')}
          />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="campaign-goal-kind">
            {t('campaigns.goalKind')}
          </Text>
          <SegmentedControl
            aria-labelledby="campaign-goal-kind"
            data={[
              { value: 'units', label: t('campaigns.goalUnitsKind') },
              { value: 'money', label: t('campaigns.goalMoneyKind') },
            ]}
            data-testid="campaign-goal-kind"
            {...form.getInputProps('goalKind')}
          />
        </Stack>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NativeSelect
            label={t('batches.currency')}
            data={[...GIVING_CURRENCIES]}
            data-testid="campaign-currency"
            {...form.getInputProps('currency')}
            onChange={(e) => {
              const currency = e.currentTarget.value;
              form.setFieldValue('currency', currency);
              if (currency !== 'USD' && form.values.unitPrice === defaultUnit('USD'))
                form.setFieldValue('unitPrice', '');
            }}
          />
          {units ? (
            <>
              <TextInput
                label={t('campaigns.goalUnits')}
                inputMode="numeric"
                required
                data-testid="campaign-goal-units"
                {...form.getInputProps('goalUnits')}
              />
              <TextInput
                label={t('campaigns.unitPriceLabel', { currency: form.values.currency })}
                description={t('campaigns.unitPriceHelp', {
                  price: formatMoney(DEFAULT_UNIT_MINOR, 'USD' as GivingCurrency, i18n.language),
                })}
                inputMode="decimal"
                required
                data-testid="campaign-unit-price"
                {...form.getInputProps('unitPrice')}
              />
            </>
          ) : (
            <TextInput
              label={t('campaigns.goalMoney', { currency: form.values.currency })}
              inputMode="decimal"
              required
              data-testid="campaign-goal"
              {...form.getInputProps('goal')}
            />
          )}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NativeSelect
            label={t('gifts.fund')}
            description={t('campaigns.fundHelp')}
            required
            data={[
              { value: '', label: '—' },
              ...(funds.data?.funds ?? []).map((f) => ({ value: f.id, label: f.name })),
            ]}
            data-testid="campaign-fund"
            {...form.getInputProps('fundId')}
          />
          <TextInput
            type="date"
            label={t('campaigns.startsAt')}
            required
            {...form.getInputProps('startsAt')}
          />
          <TextInput
            type="date"
            label={t('campaigns.endsAt')}
            description={t('campaigns.endsAtHelp')}
            {...form.getInputProps('endsAt')}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={create.isPending} data-testid="campaign-submit">
            {t('campaigns.createSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
