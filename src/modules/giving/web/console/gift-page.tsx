import {
  Alert,
  Anchor,
  Button,
  Group,
  List,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, isApiError } from '../../../../web/api';
import { ConfirmDialog } from '../../../../web/components/confirm-dialog';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useDateFormat } from '../../../../web/components/format';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import {
  BASE,
  batchLink,
  type Fund,
  type Gift,
  type GiftDetail,
  giftPath,
  givingKeys,
  type LedgerEntry,
  parseMinor,
  refundSpread,
} from './giving-api';
import { DARK_TITLE, GiftStatusBadge, useGivingT } from './ui';

function useFunds() {
  return useQuery({
    queryKey: givingKeys.funds,
    queryFn: () => api.get<{ funds: Fund[] }>('/api/giving/funds'),
  });
}

/** One gift: its facts, its ledger entries, its receipt, its soft credits, and (for development) refund and move. */
export function GiftPage() {
  const { t, i18n } = useGivingT();
  const { id = '' } = useParams();
  const money = useMoney();
  const date = useDateFormat();
  const detail = useQuery({
    queryKey: givingKeys.gift(id),
    queryFn: () => api.get<GiftDetail>(giftPath(id)),
  });
  const funds = useFunds();
  const g = detail.data?.gift;
  useDocumentTitle(g ? t('gift.title', { name: g.supporterName ?? '' }) : t('sections.gifts'));

  const back = (
    <Anchor component={Link} to={`${BASE}/gifts`} size="sm">
      ← {t('gift.back')}
    </Anchor>
  );
  if (detail.isPending) return <PageLoader />;
  if (detail.isError)
    return (
      <Stack gap="md">
        {back}
        {isApiError(detail.error, 404) ? (
          <Alert color="yellow" variant="light" role="alert" styles={DARK_TITLE} title={t('gift.notFound')} />
        ) : (
          <ErrorAlert error={detail.error} />
        )}
      </Stack>
    );
  const { gift, entries, receipt, softCredits, splits = [] } = detail.data;
  const fundName = (fundId: string) => funds.data?.funds.find((f) => f.id === fundId)?.name ?? '—';
  const kept = gift.amountMinor + gift.feeMinor - gift.refundedMinor;
  const day = (iso: string | null) =>
    iso
      ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso))
      : '—';

  return (
    <Stack gap="lg" data-testid="gift-page" data-id={gift.id}>
      <Stack gap={6}>
        {back}
        <Group gap="sm" align="center" wrap="wrap">
          <Title order={2} size="h3" data-testid="gift-heading">
            {money(gift.amountMinor + gift.feeMinor, gift.currency)} ·{' '}
            {gift.supporterName ?? t('gifts.unknownSupporter')}
          </Title>
          <GiftStatusBadge status={gift.status} size="lg" />
        </Group>
        {gift.refundedMinor > 0 && (
          <Text size="sm" data-testid="gift-refunded">
            {t('gift.refundedLine', {
              refunded: money(gift.refundedMinor, gift.currency),
              kept: money(kept, gift.currency),
            })}
          </Text>
        )}
      </Stack>

      <Section title={t('gift.facts')} testId="gift-facts">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Fact label={t('gifts.fund')} value={gift.fundName ?? '—'} testId="gift-fund" />
          {splits.length > 0 && (
            <Stack gap={0} data-testid="gift-splits">
              <Text size="xs" c="dimmed">
                {t('gift.splits')}
              </Text>
              {splits.map((s) => (
                <Text size="sm" key={s.fundId} data-testid="gift-split">
                  {t('gift.splitPart', { fund: s.fundName, amount: money(s.amountMinor, gift.currency) })}
                </Text>
              ))}
            </Stack>
          )}
          <Fact label={t('gifts.campaign')} value={gift.campaignName ?? '—'} />
          <Fact label={t('gifts.method')} value={t(`method.${gift.method}`, { defaultValue: gift.method })} />
          <Fact label={t('gift.source')} value={t(`source.${gift.source}`)} />
          <Fact label={t('gift.receivedOn')} value={day(gift.receivedOn)} />
          <Fact label={t('gift.settledAt')} value={date(gift.settledAt)} />
          {gift.feeMinor > 0 && <Fact label={t('gift.fee')} value={money(gift.feeMinor, gift.currency)} />}
          {gift.fairMarketValueMinor > 0 && (
            <Fact label={t('gift.fairMarketValue')} value={money(gift.fairMarketValueMinor, gift.currency)} />
          )}
          {gift.tributeKind && gift.tributeName && (
            <Fact label={t(`tribute.${gift.tributeKind}`)} value={gift.tributeName} />
          )}
          {gift.batchId && (
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                {t('gift.batch')}
              </Text>
              <Anchor component={Link} to={batchLink(gift.batchId)} size="sm">
                {t('gift.openBatch')}
              </Anchor>
            </Stack>
          )}
        </SimpleGrid>
      </Section>

      <Section title={t('gift.ledger')} testId="gift-ledger">
        {entries.length === 0 ? (
          <Text size="sm" data-testid="gift-ledger-empty">
            {t('gift.noEntries')}
          </Text>
        ) : (
          <ScrollTable minWidth={480} label={t('gift.ledger')}>
            <Table verticalSpacing={6}>
              <Table.Caption>{t('gift.ledgerCaption')}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('gift.when')}</Table.Th>
                  <Table.Th>{t('gift.kind')}</Table.Th>
                  <Table.Th>{t('gifts.fund')}</Table.Th>
                  <Table.Th ta="right">{t('gifts.amount')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr key={e.id} data-testid="ledger-entry" data-kind={e.kind}>
                    <Table.Td>{date(e.createdAt)}</Table.Td>
                    <Table.Td>{t(`entryKind.${e.kind}`)}</Table.Td>
                    <Table.Td>{fundName(e.fundId)}</Table.Td>
                    <Table.Td ta="right" ff="monospace" data-testid="ledger-entry-amount">
                      {money(e.amountMinor, e.currency)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Section>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Section title={t('gift.receipt')} testId="gift-receipt">
          {receipt ? (
            <Stack gap={4}>
              <Text size="sm">
                {t('gift.receiptLine', {
                  number: receipt.number,
                  date: date(receipt.issuedAt),
                })}
              </Text>
              <Anchor
                href={`${giftPath(gift.id)}/receipt.pdf`}
                target="_blank"
                rel="noopener"
                size="sm"
                data-testid="gift-receipt-pdf"
              >
                {t('gift.receiptPdf', { number: receipt.number })}
              </Anchor>
            </Stack>
          ) : (
            <Text size="sm">{t('gift.noReceipt')}</Text>
          )}
        </Section>
        <Section title={t('gift.softCredits')} testId="gift-soft-credits">
          {softCredits.length === 0 ? (
            <Text size="sm">{t('gift.noSoftCredits')}</Text>
          ) : (
            <Stack gap={4}>
              {softCredits.map((c) => (
                <Text size="sm" key={c.id} data-testid="soft-credit">
                  {t(`creditKind.${c.creditKind}`)}: {c.creditName ?? c.creditRef}
                </Text>
              ))}
            </Stack>
          )}
        </Section>
      </SimpleGrid>

      {/* What the server says this caller may do with this gift (a settled gift: move; offline: refund). */}
      {gift.allowedActions.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          {gift.source === 'offline' ? (
            gift.allowedActions.includes('refund') && (
              <RefundPanel gift={gift} entries={entries} splits={splits} funds={funds.data?.funds ?? []} />
            )
          ) : (
            <Section title={t('refund.title')}>
              <Text size="sm">{t('refund.online')}</Text>
            </Section>
          )}
          {gift.allowedActions.includes('move') && <MovePanel gift={gift} funds={funds.data?.funds ?? []} />}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
}

function useGiftRefresh(id: string) {
  const queryClient = useQueryClient();
  return async (next: GiftDetail) => {
    queryClient.setQueryData(givingKeys.gift(id), next);
    await queryClient.invalidateQueries({ queryKey: givingKeys.all });
  };
}

/**
 * Refund an offline gift, all of what remains or part, after seeing the opposite entry it adds. A split
 * gift's refund is spread over its funds in proportion to what each still holds (gift-splits.ts): the
 * dialog says so and lists each fund's part, worked out by the server's own rule.
 */
function RefundPanel({
  gift,
  entries,
  splits,
  funds,
}: {
  gift: Gift;
  entries: LedgerEntry[];
  splits: NonNullable<GiftDetail['splits']>;
  funds: Fund[];
}) {
  const { t } = useGivingT();
  const money = useMoney();
  const refresh = useGiftRefresh(gift.id);
  const remaining = gift.amountMinor + gift.feeMinor - gift.refundedMinor;
  const [confirming, setConfirming] = useState<number | null>(null);
  const form = useForm({
    initialValues: { amount: '' },
    validate: {
      amount: (v) => {
        if (v.trim() === '') return null;
        const minor = parseMinor(v, gift.currency);
        if (minor === null) return t('validation.amount');
        return minor > remaining ? t('refund.tooMuch', { remaining: money(remaining, gift.currency) }) : null;
      },
    },
  });
  return (
    <Section title={t('refund.title')} testId="refund-panel">
      <form
        noValidate
        onSubmit={form.onSubmit((v) =>
          setConfirming(
            v.amount.trim() === '' ? remaining : (parseMinor(v.amount, gift.currency) ?? remaining),
          ),
        )}
      >
        <Stack gap="sm">
          <Text size="sm">{t('refund.intro', { remaining: money(remaining, gift.currency) })}</Text>
          <TextInput
            label={t('refund.amount', { currency: gift.currency })}
            description={t('refund.amountHelp')}
            inputMode="decimal"
            data-testid="refund-amount"
            {...form.getInputProps('amount')}
          />
          <Group>
            <Button type="submit" variant="default" data-testid="refund-open">
              {t('refund.action')}
            </Button>
          </Group>
        </Stack>
      </form>
      <ConfirmDialog
        opened={confirming !== null}
        title={t('refund.confirmTitle')}
        confirmLabel={t('refund.confirm')}
        color="red.9"
        testId="refund-confirm"
        onClose={() => setConfirming(null)}
        body={
          <Stack gap="xs" data-testid="refund-effect">
            {splits.length > 0 ? (
              <SplitRefundEffect
                amountMinor={confirming ?? 0}
                gift={gift}
                entries={entries}
                nameOf={(fundId) =>
                  splits.find((s) => s.fundId === fundId)?.fundName ??
                  funds.find((f) => f.id === fundId)?.name ??
                  '—'
                }
              />
            ) : (
              <Text size="sm">
                {t('refund.effect', { amount: money(-(confirming ?? 0), gift.currency) })}
              </Text>
            )}
            <Text size="sm">
              {confirming === remaining
                ? t('refund.effectWhole')
                : t('refund.effectPart', { kept: money(remaining - (confirming ?? 0), gift.currency) })}
            </Text>
          </Stack>
        }
        onConfirm={async () => {
          const amountMinor = confirming ?? remaining;
          const next = await api.post<GiftDetail>(`${giftPath(gift.id)}/refund`, { amountMinor });
          form.reset();
          await refresh(next);
          toast(t('refund.done', { amount: money(amountMinor, gift.currency) }));
        }}
      />
    </Section>
  );
}

/** A split gift's refund: one new opposite entry per fund that still holds part of it, in proportion. */
function SplitRefundEffect({
  amountMinor,
  gift,
  entries,
  nameOf,
}: {
  amountMinor: number;
  gift: Gift;
  entries: LedgerEntry[];
  nameOf: (fundId: string) => string;
}) {
  const { t } = useGivingT();
  const money = useMoney();
  const parts = refundSpread(entries, amountMinor);
  return (
    <>
      <Text size="sm">
        {t('refund.effectSplit', { count: parts.length, amount: money(-amountMinor, gift.currency) })}
      </Text>
      <List size="sm" spacing={2} data-testid="refund-split-parts">
        {parts.map((p) => (
          <List.Item key={p.fundId} data-testid="refund-split-part">
            {t('refund.splitPart', { fund: nameOf(p.fundId), amount: money(p.amountMinor, gift.currency) })}
          </List.Item>
        ))}
      </List>
    </>
  );
}

/** Move what remains of a gift to another fund: a correction pair, shown before it is made. */
function MovePanel({ gift, funds }: { gift: Gift; funds: Fund[] }) {
  const { t } = useGivingT();
  const money = useMoney();
  const refresh = useGiftRefresh(gift.id);
  const [fund, setFund] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const others = funds.filter((f) => f.code !== gift.fundCode);
  const target = others.find((f) => f.code === fund);
  const net = gift.amountMinor + gift.feeMinor - gift.refundedMinor;
  return (
    <Section title={t('move.title')} testId="move-panel">
      <Stack gap="sm">
        <Text size="sm">{t('move.intro')}</Text>
        <NativeSelect
          label={t('move.to')}
          value={fund}
          error={error}
          onChange={(e) => {
            setFund(e.currentTarget.value);
            setError(null);
          }}
          data={[{ value: '', label: '—' }, ...others.map((f) => ({ value: f.code, label: f.name }))]}
          data-testid="move-fund"
        />
        <Group>
          <Button
            variant="default"
            onClick={() => (target ? setConfirming(true) : setError(t('validation.required')))}
            data-testid="move-open"
          >
            {t('move.action')}
          </Button>
        </Group>
      </Stack>
      <ConfirmDialog
        opened={confirming}
        title={t('move.confirmTitle')}
        confirmLabel={t('move.confirm')}
        color="passage"
        testId="move-confirm"
        onClose={() => setConfirming(false)}
        body={
          <Text size="sm" data-testid="move-effect">
            {t('move.effect', {
              minus: money(-net, gift.currency),
              from: gift.fundName ?? '—',
              plus: money(net, gift.currency),
              to: target?.name ?? '—',
            })}
          </Text>
        }
        onConfirm={async () => {
          const next = await api.post<GiftDetail>(`${giftPath(gift.id)}/correction`, { fund });
          setFund('');
          await refresh(next);
          toast(t('move.done', { fund: target?.name ?? fund }));
        }}
      />
    </Section>
  );
}
