import {
  Alert,
  Anchor,
  Button,
  Group,
  NativeSelect,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, isApiError } from '../../../../web/api';
import { ConfirmDialog } from '../../../../web/components/confirm-dialog';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import {
  BASE,
  type BatchDetail,
  batchPath,
  type CampaignProgress,
  CREDIT_KIND_LIST,
  type CreditKind,
  dayToIso,
  type Fund,
  giftLink,
  givingKeys,
  OFFLINE_METHOD_LIST,
  parseMinor,
  parseMinorOrZero,
  todayDay,
} from './giving-api';
import { type PickedSupporter, SupporterPicker } from './supporter-picker';
import { BatchStatusBadge, DARK_TITLE, GiftStatusBadge, useGivingT } from './ui';

/**
 * One batch: the running total against the control total, quick entry of offline gifts one after
 * another, and Post, which settles them all at once (only when they add up: the server checks too).
 */
export function BatchPage() {
  const { t, i18n } = useGivingT();
  const { id = '' } = useParams();
  const money = useMoney();
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' });
  const detail = useQuery({
    queryKey: givingKeys.batch(id),
    queryFn: () => api.get<BatchDetail>(batchPath(id)),
  });
  useDocumentTitle(detail.data?.batch.name ?? t('sections.batches'));

  const back = (
    <Anchor component={Link} to={`${BASE}/batches`} size="sm">
      ← {t('batch.back')}
    </Anchor>
  );
  if (detail.isPending) return <PageLoader />;
  if (detail.isError)
    return (
      <Stack gap="md">
        {back}
        {isApiError(detail.error, 404) ? (
          <Alert
            color="yellow"
            variant="light"
            role="alert"
            styles={DARK_TITLE}
            title={t('batch.notFound')}
          />
        ) : (
          <ErrorAlert error={detail.error} />
        )}
      </Stack>
    );
  const { batch, gifts, enteredMinor, allowedActions } = detail.data;
  const difference = batch.controlTotalMinor - enteredMinor;
  const open = batch.status === 'open';

  return (
    <Stack gap="lg" data-testid="batch-page" data-id={batch.id}>
      <Stack gap={6}>
        {back}
        <Group gap="sm" align="center" wrap="wrap">
          <Title order={2} size="h3">
            {batch.name}
          </Title>
          <BatchStatusBadge status={batch.status} />
        </Group>
        <Group justify="space-between" gap="sm" wrap="wrap">
          <Text size="sm" c="dimmed">
            {t('batch.currencyLine', { currency: batch.currency })}
          </Text>
          <CsvDownload
            href={csvHref(`/api/giving/batches/${batch.id}`)}
            label={t('downloadCsv')}
            testId="batch-gifts-csv"
            stepUp
          />
        </Group>
      </Stack>

      <Section title={t('batch.totals')} testId="batch-totals">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
            <Figure
              label={t('batches.controlTotal')}
              value={money(batch.controlTotalMinor, batch.currency)}
              testId="batch-control"
            />
            <Figure
              label={t('batches.entered')}
              value={money(enteredMinor, batch.currency)}
              testId="batch-entered"
            />
            <Figure
              label={t('batches.difference')}
              value={money(difference, batch.currency)}
              testId="batch-difference"
            />
          </SimpleGrid>
          <Progress
            value={
              batch.controlTotalMinor ? Math.min(100, (enteredMinor / batch.controlTotalMinor) * 100) : 0
            }
            color={difference < 0 ? 'red' : difference === 0 ? 'green' : 'passage'}
            aria-label={t('batch.progressLabel')}
            size="sm"
          />
          <Text size="sm" data-testid="batch-difference-text" aria-live="polite">
            {!open
              ? t('batch.posted')
              : gifts.length === 0
                ? t('batch.nothingYet')
                : difference === 0
                  ? t('batch.matches')
                  : difference > 0
                    ? t('batch.toEnter', { amount: money(difference, batch.currency) })
                    : t('batch.over', { amount: money(-difference, batch.currency) })}
          </Text>
          {open && allowedActions.includes('post') && (
            <PostBatch
              batchId={batch.id}
              ready={difference === 0 && gifts.length > 0}
              count={gifts.length}
              total={money(enteredMinor, batch.currency)}
            />
          )}
        </Stack>
      </Section>

      {open && allowedActions.includes('enter') && <EnterGiftForm detail={detail.data} />}

      <Section title={t('batch.giftsTitle')} testId="batch-gifts">
        {gifts.length === 0 ? (
          <Text size="sm" data-testid="batch-gifts-empty">
            {t('batch.noGifts')}
          </Text>
        ) : (
          <ScrollTable minWidth={640} label={t('batch.giftsTitle')}>
            <Table verticalSpacing={6} data-testid="batch-gift-list">
              <Table.Caption>{t('batch.giftsCaption', { count: gifts.length })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('gifts.supporter')}</Table.Th>
                  <Table.Th ta="right">{t('gifts.amount')}</Table.Th>
                  <Table.Th>{t('gifts.method')}</Table.Th>
                  <Table.Th>{t('gifts.fund')}</Table.Th>
                  <Table.Th>{t('gift.receivedOn')}</Table.Th>
                  <Table.Th>{t('gifts.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {gifts.map((g) => (
                  <Table.Tr key={g.id} data-testid="batch-gift" data-id={g.id}>
                    <Table.Td>
                      <Anchor component={Link} to={giftLink(g.id)}>
                        {g.supporterName ?? t('gifts.unknownSupporter')}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {money(g.amountMinor, g.currency)}
                    </Table.Td>
                    <Table.Td>{t(`method.${g.method}`, { defaultValue: g.method })}</Table.Td>
                    <Table.Td>{g.fundName ?? '—'}</Table.Td>
                    <Table.Td>{g.receivedOn ? day.format(new Date(g.receivedOn)) : '—'}</Table.Td>
                    <Table.Td>
                      <GiftStatusBadge status={g.status} />
                    </Table.Td>
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

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fz="lg" fw={700} ff="monospace" data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
}

function PostBatch({
  batchId,
  ready,
  count,
  total,
}: {
  batchId: string;
  ready: boolean;
  count: number;
  total: string;
}) {
  const { t } = useGivingT();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Group>
        <Button disabled={!ready} onClick={() => setConfirming(true)} data-testid="batch-post">
          {t('batch.post')}
        </Button>
        {!ready && (
          <Text size="sm" c="dimmed">
            {t('batch.postWhenMatched')}
          </Text>
        )}
      </Group>
      <ConfirmDialog
        opened={confirming}
        title={t('batch.postTitle')}
        confirmLabel={t('batch.postConfirm')}
        color="passage"
        testId="batch-post-confirm"
        onClose={() => setConfirming(false)}
        body={t('batch.postEffect', { count, total })}
        onConfirm={async () => {
          const next = await api.post<BatchDetail>(`${batchPath(batchId)}/post`);
          queryClient.setQueryData(givingKeys.batch(batchId), next);
          await queryClient.invalidateQueries({ queryKey: givingKeys.all });
          toast(t('batch.postedToast'));
        }}
      />
    </>
  );
}

interface CreditRow {
  kind: CreditKind | '';
  supporter: PickedSupporter | null;
  team: string;
}

/**
 * Enter one offline gift, then the next: after each one the supporter, amount and fair-market value clear
 * and the search takes the focus again; method, fund, campaign and date stay as they were.
 */
function EnterGiftForm({ detail }: { detail: BatchDetail }) {
  const { t } = useGivingT();
  const queryClient = useQueryClient();
  const currency = detail.batch.currency;
  const searchRef = useRef<HTMLInputElement>(null);
  const funds = useQuery({
    queryKey: givingKeys.funds,
    queryFn: () => api.get<{ funds: Fund[] }>('/api/giving/funds'),
  });
  const campaigns = useQuery({
    queryKey: givingKeys.campaigns,
    queryFn: () => api.get<{ campaigns: CampaignProgress[] }>('/api/giving/campaigns'),
  });
  const [supporter, setSupporter] = useState<PickedSupporter | null>(null);
  const [supporterError, setSupporterError] = useState<string | null>(null);
  const [credits, setCredits] = useState<CreditRow[]>([]);
  const form = useForm({
    initialValues: {
      amount: '',
      method: 'cheque',
      fund: '',
      campaign: '',
      receivedOn: todayDay(),
      fairMarketValue: '',
    },
    validate: {
      amount: (v) => (parseMinor(v, currency) === null ? t('validation.amount') : null),
      fund: (v) => (v ? null : t('validation.required')),
      receivedOn: (v) => (v ? null : t('validation.required')),
      fairMarketValue: (v) => (parseMinorOrZero(v, currency) === null ? t('validation.amountOrZero') : null),
    },
  });
  const enter = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post(`${batchPath(detail.batch.id)}/gifts`, {
        supporterId: supporter?.id,
        amountMinor: parseMinor(v.amount, currency),
        method: v.method,
        fund: v.fund,
        ...(v.campaign ? { campaign: v.campaign } : {}),
        receivedOn: dayToIso(v.receivedOn),
        fairMarketValueMinor: parseMinorOrZero(v.fairMarketValue, currency) ?? 0,
        softCredits: credits.flatMap((c): { kind: CreditKind; ref: string }[] => {
          const ref = c.kind === 'team' ? c.team.trim() : (c.supporter?.id ?? '');
          return c.kind && ref ? [{ kind: c.kind, ref }] : [];
        }),
      }),
    onSuccess: async () => {
      toast(t('entry.entered', { name: supporter?.displayName ?? '' }));
      setSupporter(null);
      setCredits([]);
      form.setValues({ amount: '', fairMarketValue: '' });
      form.resetDirty();
      await queryClient.invalidateQueries({ queryKey: givingKeys.batch(detail.batch.id) });
      await queryClient.invalidateQueries({ queryKey: givingKeys.batches });
      searchRef.current?.focus();
    },
  });

  const submit = form.onSubmit((v) => {
    if (!supporter) {
      setSupporterError(t('validation.required'));
      return;
    }
    enter.mutate(v);
  });
  const fundList = funds.data?.funds ?? [];
  const campaignList = campaigns.data?.campaigns ?? [];

  return (
    <Section title={t('entry.title')} testId="batch-entry">
      <form onSubmit={submit} noValidate data-testid="batch-entry-form">
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t('entry.intro', { currency })}
          </Text>
          {enter.isError && <ErrorAlert error={enter.error} testId="batch-entry-error" />}
          {funds.isError && <ErrorAlert error={funds.error} />}
          <SupporterPicker
            ref={searchRef}
            label={t('entry.supporter')}
            required
            value={supporter}
            error={supporterError}
            onChange={(s) => {
              setSupporter(s);
              setSupporterError(null);
            }}
            testId="entry-supporter"
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput
              label={t('entry.amount', { currency })}
              inputMode="decimal"
              required
              data-testid="entry-amount"
              {...form.getInputProps('amount')}
            />
            <NativeSelect
              label={t('gifts.method')}
              data={OFFLINE_METHOD_LIST.map((m) => ({ value: m, label: t(`method.${m}`) }))}
              data-testid="entry-method"
              {...form.getInputProps('method')}
            />
            <TextInput
              type="date"
              label={t('gift.receivedOn')}
              required
              data-testid="entry-received-on"
              {...form.getInputProps('receivedOn')}
            />
            <NativeSelect
              label={t('gifts.fund')}
              required
              data={[{ value: '', label: '—' }, ...fundList.map((f) => ({ value: f.code, label: f.name }))]}
              data-testid="entry-fund"
              {...form.getInputProps('fund')}
            />
            <NativeSelect
              label={t('gifts.campaign')}
              data={[
                { value: '', label: t('entry.noCampaign') },
                ...campaignList.map((c) => ({ value: c.code, label: c.name })),
              ]}
              data-testid="entry-campaign"
              {...form.getInputProps('campaign')}
            />
            <TextInput
              label={t('entry.fairMarketValue', { currency })}
              description={t('entry.fairMarketValueHelp')}
              inputMode="decimal"
              data-testid="entry-fmv"
              {...form.getInputProps('fairMarketValue')}
            />
          </SimpleGrid>
          <SoftCreditRows rows={credits} onChange={setCredits} />
          <Group>
            <Button type="submit" loading={enter.isPending} data-testid="entry-submit">
              {t('entry.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function SoftCreditRows({ rows, onChange }: { rows: CreditRow[]; onChange: (next: CreditRow[]) => void }) {
  const { t } = useGivingT();
  const set = (i: number, patch: Partial<CreditRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs" data-testid="entry-soft-credits">
      <Text size="sm" fw={500}>
        {t('entry.softCredits')}
      </Text>
      <Text size="xs" c="dimmed">
        {t('entry.softCreditsHelp')}
      </Text>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own until entered.
        <Group key={i} gap="sm" align="flex-end" wrap="wrap" data-testid="entry-credit">
          <NativeSelect
            label={t('entry.creditKind')}
            value={row.kind}
            onChange={(e) => set(i, { kind: e.currentTarget.value as CreditKind, supporter: null, team: '' })}
            data={CREDIT_KIND_LIST.map((k) => ({ value: k, label: t(`creditKind.${k}`) }))}
            data-testid="entry-credit-kind"
            w={180}
          />
          {row.kind === 'team' ? (
            <TextInput
              label={t('entry.team')}
              value={row.team}
              onChange={(e) => set(i, { team: e.currentTarget.value })}
              data-testid="entry-credit-team"
              maxLength={100}
            />
          ) : (
            <SupporterPicker
              label={t('entry.creditSupporter')}
              value={row.supporter}
              onChange={(s) => set(i, { supporter: s })}
              testId="entry-credit-supporter"
            />
          )}
          <Button variant="default" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            {t('entry.removeCredit')}
          </Button>
        </Group>
      ))}
      {rows.length < 10 && (
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => onChange([...rows, { kind: 'fundraiser', supporter: null, team: '' }])}
            data-testid="entry-credit-add"
          >
            {t('entry.addCredit')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
