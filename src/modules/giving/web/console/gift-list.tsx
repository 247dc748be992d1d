import { Anchor, Button, Group, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { DataTable } from '../../../../web/components/data-table';
import { useMoney } from '../../../../web/components/money';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { GIFT_STATUS_LIST, type Gift, type GiftStatus, giftLink, givingKeys } from './giving-api';
import { GiftStatusBadge, useGivingT } from './ui';

const STEP = 50;
const MAX = 200;

/** Gifts, newest first, filtered by status (kept in the address: ?status=settled). */
export function GiftListView() {
  const { t, i18n } = useGivingT();
  useDocumentTitle(t('sections.gifts'));
  const money = useMoney();
  // Received-on dates are days (midnight UTC): shown as such, in the reader's language.
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' });
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status') ?? '';
  const status = (GIFT_STATUS_LIST as readonly string[]).includes(statusParam) ? statusParam : '';
  const [limit, setLimit] = useState(STEP);
  const gifts = useQuery({
    queryKey: [...givingKeys.gifts(status), limit],
    queryFn: () => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (status) q.set('status', status);
      return api.get<{ gifts: Gift[] }>(`/api/giving/gifts?${q}`);
    },
    placeholderData: keepPreviousData,
  });
  const rows = gifts.data?.gifts ?? [];

  return (
    <Stack gap="md">
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
            ...GIFT_STATUS_LIST.map((s) => ({ value: s, label: t(`status.${s}`) })),
          ]}
          data-testid="gift-filter-status"
          w={220}
        />
        <CsvDownload
          href={csvHref('/api/giving/gifts', { status })}
          label={t('downloadCsv')}
          testId="gift-list-csv"
          stepUp
        />
      </Group>
      <DataTable
        query={gifts}
        rows={rows}
        empty={status ? t('gifts.emptyStatus') : t('gifts.empty')}
        emptyTestId="gift-list-empty"
        label={t('sections.gifts')}
        minWidth={760}
        testId="gift-list"
        caption={t('gifts.shown', { count: rows.length })}
        columns={[
          { header: t('gifts.date') },
          { header: t('gifts.supporter') },
          { header: t('gifts.amount'), align: 'right' },
          { header: t('gifts.fund') },
          { header: t('gifts.campaign') },
          { header: t('gifts.method') },
          { header: t('gifts.status') },
        ]}
        footer={
          rows.length === limit &&
          limit < MAX && (
            <Group justify="center" mt="sm">
              <Button
                variant="default"
                onClick={() => setLimit((l) => Math.min(MAX, l + STEP))}
                loading={gifts.isFetching}
                data-testid="gift-list-more"
              >
                {t('gifts.more')}
              </Button>
            </Group>
          )
        }
        renderRow={(g) => (
          <Table.Tr key={g.id} data-testid="gift-row" data-id={g.id}>
            <Table.Td>{day.format(new Date(g.receivedOn ?? g.createdAt))}</Table.Td>
            <Table.Td>
              <Anchor component={Link} to={giftLink(g.id)} data-testid="gift-link">
                {g.supporterName ?? t('gifts.unknownSupporter')}
              </Anchor>
            </Table.Td>
            <Table.Td ta="right" ff="monospace" data-testid="gift-amount">
              {money(g.amountMinor + g.feeMinor, g.currency)}
              {g.refundedMinor > 0 && (
                <Text size="xs" c="dimmed" component="span" display="block">
                  {t('gifts.refundedPart', { amount: money(g.refundedMinor, g.currency) })}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{g.fundName ?? g.fundCode ?? '—'}</Table.Td>
            <Table.Td>{g.campaignName ?? '—'}</Table.Td>
            <Table.Td>{t(`method.${g.method}`, { defaultValue: g.method })}</Table.Td>
            <Table.Td>
              <GiftStatusBadge status={g.status as GiftStatus} />
            </Table.Td>
          </Table.Tr>
        )}
      />
    </Stack>
  );
}
