import { Anchor, Badge, Button, Group, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../../web/api';
import { ConfirmDialog } from '../../../../web/components/confirm-dialog';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { DataTable } from '../../../../web/components/data-table';
import { useMoney } from '../../../../web/components/money';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import {
  givingKeys,
  type MonthlyGiftList,
  RECURRING_STATUS_LIST,
  type RecurringGift,
  type RecurringStatus,
  recurringPath,
  type StaffRecurringChange,
  supporterLink,
} from './giving-api';
import { useGivingT } from './ui';

const STEP = 50;
const MAX = 200;

const STATUS_COLOR: Record<RecurringStatus, string> = {
  pending: 'yellow',
  active: 'green',
  paused: 'blue',
  cancelled: 'gray',
  lapsed: 'red',
};

/** Dot badge with dark text, like the gift statuses (contrast at small sizes). */
function RecurringStatusBadge({ status }: { status: RecurringStatus }) {
  const { t } = useGivingT();
  return (
    <Badge variant="dot" c="gray.9" color={STATUS_COLOR[status]} data-testid="monthly-status">
      {t(`monthly.status.${status}`)}
    </Badge>
  );
}

/**
 * Monthly gifts, newest first, filtered by status (kept in the address: ?status=active). Development staff
 * pause or cancel one, for instance when a donor asks by phone, after a dialog saying what follows;
 * resuming is the donor's own decision, from the donor portal. The buttons come from the server's `can`.
 */
export function RecurringListView() {
  const { t, i18n } = useGivingT();
  useDocumentTitle(t('sections.monthly'));
  const money = useMoney();
  const queryClient = useQueryClient();
  // Charges fall on a day at 00:00 UTC (recurring.schedule.ts): shown as that day.
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' });
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status') ?? '';
  const status = (RECURRING_STATUS_LIST as readonly string[]).includes(statusParam) ? statusParam : '';
  const [limit, setLimit] = useState(STEP);
  // The gift and change being confirmed stay set while the dialog closes, so its words do not vanish.
  const [confirming, setConfirming] = useState<{ gift: RecurringGift; change: StaffRecurringChange } | null>(
    null,
  );
  const [opened, setOpened] = useState(false);
  const ask = (gift: RecurringGift, change: StaffRecurringChange) => {
    setConfirming({ gift, change });
    setOpened(true);
  };
  const list = useQuery({
    queryKey: [...givingKeys.recurring(status), limit],
    queryFn: () => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (status) q.set('status', status);
      return api.get<MonthlyGiftList>(`/api/giving/recurring?${q}`);
    },
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.recurringGifts ?? [];
  // The server says whether this caller changes monthly gifts at all (the column), and each one's buttons.
  const canWrite = (list.data?.allowedActions.length ?? 0) > 0;
  const perMonth = (g: RecurringGift) => money(g.amountMinor + g.feeMinor, g.currency);
  const nameOf = (g: RecurringGift) => g.supporterName ?? t('gifts.unknownSupporter');

  return (
    <Stack gap="md">
      <Text size="sm">{t('monthly.intro')}</Text>
      <Group gap="md" align="flex-end" wrap="wrap">
        <NativeSelect
          label={t('gifts.statusFilter')}
          value={status}
          onChange={(e) => {
            const s = e.currentTarget.value;
            setLimit(STEP);
            setParams(s ? { status: s } : {}, { replace: true });
          }}
          data={[
            { value: '', label: t('gifts.anyStatus') },
            ...RECURRING_STATUS_LIST.map((s) => ({ value: s, label: t(`monthly.status.${s}`) })),
          ]}
          data-testid="monthly-filter-status"
          w={220}
        />
        <CsvDownload
          href={csvHref('/api/giving/recurring', { status })}
          label={t('downloadCsv')}
          testId="monthly-list-csv"
          stepUp
        />
      </Group>
      <DataTable
        query={list}
        rows={rows}
        empty={status ? t('monthly.emptyStatus') : t('monthly.empty')}
        emptyTestId="monthly-list-empty"
        label={t('sections.monthly')}
        minWidth={canWrite ? 940 : 780}
        testId="monthly-list"
        caption={t('monthly.shown', { count: rows.length })}
        columns={[
          { header: t('gifts.supporter') },
          { header: t('monthly.perMonth'), align: 'right' },
          { header: t('monthly.fundCampaign') },
          { header: t('gifts.status') },
          { header: t('monthly.nextCharge') },
          { header: t('monthly.failedAttempts'), align: 'right' },
          ...(canWrite ? [{ header: t('monthly.actions') }] : []),
        ]}
        footer={
          rows.length === limit &&
          limit < MAX && (
            <Group justify="center" mt="sm">
              <Button
                variant="default"
                onClick={() => setLimit((l) => Math.min(MAX, l + STEP))}
                loading={list.isFetching}
                data-testid="monthly-list-more"
              >
                {t('gifts.more')}
              </Button>
            </Group>
          )
        }
        renderRow={(g) => (
          <Table.Tr key={g.id} data-testid="monthly-row" data-id={g.id} data-status={g.status}>
            <Table.Td>
              {g.supporterId ? (
                <Anchor component={Link} to={supporterLink(g.supporterId)} data-testid="monthly-supporter">
                  {nameOf(g)}
                </Anchor>
              ) : (
                nameOf(g)
              )}
            </Table.Td>
            <Table.Td ta="right" ff="monospace" data-testid="monthly-amount">
              {perMonth(g)}
            </Table.Td>
            <Table.Td>
              <Text size="sm" data-testid="monthly-fund">
                {g.fundName ?? '—'}
              </Text>
              {g.campaignName && (
                <Text size="xs" c="dimmed" data-testid="monthly-campaign">
                  {g.campaignName}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <RecurringStatusBadge status={g.status} />
            </Table.Td>
            <Table.Td data-testid="monthly-next">
              {g.nextChargeAt ? day.format(new Date(g.nextChargeAt)) : '—'}
            </Table.Td>
            <Table.Td ta="right" data-testid="monthly-failures">
              {g.failedAttempts}
              {g.failedAttempts > 0 && g.lastFailureAt && (
                <Text size="xs" c="dimmed" component="span" display="block">
                  {t('monthly.lastFailure', { date: day.format(new Date(g.lastFailureAt)) })}
                </Text>
              )}
            </Table.Td>
            {canWrite && (
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  {g.allowedActions.includes('pause') && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      aria-label={t('monthly.pauseFor', { name: nameOf(g) })}
                      onClick={() => ask(g, 'pause')}
                      data-testid="monthly-pause"
                    >
                      {t('monthly.pause')}
                    </Button>
                  )}
                  {g.allowedActions.includes('cancel') && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      c="red.9"
                      aria-label={t('monthly.cancelFor', { name: nameOf(g) })}
                      onClick={() => ask(g, 'cancel')}
                      data-testid="monthly-cancel"
                    >
                      {t('monthly.cancel')}
                    </Button>
                  )}
                </Group>
                {g.status === 'paused' && (
                  <Text size="xs" c="dimmed" mt={4} data-testid="monthly-resume-note">
                    {t('monthly.resumeByDonor')}
                  </Text>
                )}
              </Table.Td>
            )}
          </Table.Tr>
        )}
      />
      <ConfirmDialog
        opened={opened}
        title={confirming ? t(`monthly.${confirming.change}Confirm.title`) : ''}
        confirmLabel={confirming ? t(`monthly.${confirming.change}Confirm.confirm`) : ''}
        color={confirming?.change === 'cancel' ? 'red.9' : 'passage'}
        testId="monthly-confirm"
        onClose={() => setOpened(false)}
        body={
          confirming ? (
            <Text size="sm" data-testid="monthly-confirm-body">
              {t(`monthly.${confirming.change}Confirm.body`, {
                name: nameOf(confirming.gift),
                amount: perMonth(confirming.gift),
              })}
            </Text>
          ) : null
        }
        onConfirm={async () => {
          if (!confirming) return;
          const { gift, change } = confirming;
          await api.post<unknown>(recurringPath(gift.id, change), {});
          await queryClient.invalidateQueries({ queryKey: ['giving', 'recurring'] });
          toast(t(`monthly.${change}Done`, { name: nameOf(gift) }));
        }}
      />
    </Stack>
  );
}
