import { Anchor, Badge, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { useMoney } from '../../../web/components/money';
import { PageLoader } from '../../../web/components/page-loader';
import { Section } from '../../../web/components/section';
import { type GivingSummary, giftLink, supporterKeys, supporterPath } from './supporters-api';
import { useSupportersT } from './ui';

const GIFT_COLOR: Record<string, string> = {
  pending: 'yellow',
  settled: 'green',
  failed: 'red',
  refunded: 'gray',
};

/**
 * Their giving at a glance, from Giving's summary (GET /api/people/:id/summary): what they gave, what went
 * back and what was kept, per currency, from the ledger; monthly gifts; the newest gifts, each linking to
 * the giving console's gift page.
 */
export function GivingSection({ id }: { id: string }) {
  const { t } = useSupportersT();
  const money = useMoney();
  const date = useDateFormat();
  const summary = useQuery({
    queryKey: supporterKeys.summary(id),
    queryFn: () => api.get<{ giving?: GivingSummary }>(`${supporterPath(id)}/summary`),
  });
  return (
    <Section title={t('giving.title')} testId="supporter-giving" headingId="supporter-giving-heading">
      {summary.isPending ? (
        <PageLoader />
      ) : summary.isError ? (
        <ErrorAlert error={summary.error} />
      ) : !summary.data.giving ? (
        <Text size="sm" c="dimmed">
          {t('giving.unavailable')}
        </Text>
      ) : summary.data.giving.recent.length === 0 && summary.data.giving.monthly.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="giving-none">
          {t('giving.none')}
        </Text>
      ) : (
        <Stack gap="sm">
          <Text size="sm" data-testid="giving-count">
            {t('giving.count', {
              count: summary.data.giving.settledGifts,
              first: date(summary.data.giving.firstGiftAt),
              last: date(summary.data.giving.lastGiftAt),
            })}
          </Text>
          {summary.data.giving.totals.length > 0 && (
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs" data-testid="giving-totals">
              {summary.data.giving.totals.map((row) => (
                <Stack key={row.currency} gap={0}>
                  <Text size="lg" fw={700}>
                    {money(row.keptMinor, row.currency)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {row.refundedMinor > 0
                      ? t('giving.keptAfterRefunds', {
                          given: money(row.givenMinor, row.currency),
                          refunded: money(row.refundedMinor, row.currency),
                        })
                      : t('giving.given')}
                  </Text>
                </Stack>
              ))}
            </SimpleGrid>
          )}
          {summary.data.giving.monthly.length > 0 && (
            <Stack gap={2}>
              <Text size="sm" fw={600}>
                {t('giving.monthly')}
              </Text>
              {summary.data.giving.monthly.map((m) => (
                <Text size="sm" key={m.id} data-testid="giving-monthly">
                  {t('giving.monthlyLine', {
                    amount: money(m.amountMinor, m.currency),
                    day: m.dayOfMonth,
                    status: t(`monthlyStatus.${m.status}`, { defaultValue: m.status }),
                  })}
                </Text>
              ))}
            </Stack>
          )}
          {summary.data.giving.recent.length > 0 && (
            <Table.ScrollContainer minWidth={360}>
              <Table verticalSpacing={4} data-testid="giving-recent">
                <Table.Caption>{t('giving.recent')}</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('giving.amount')}</Table.Th>
                    <Table.Th>{t('giving.status')}</Table.Th>
                    <Table.Th>{t('giving.fund')}</Table.Th>
                    <Table.Th>{t('giving.date')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {summary.data.giving.recent.map((g) => (
                    <Table.Tr key={g.id}>
                      <Table.Td>
                        <Anchor component={Link} to={giftLink(g.id)} data-testid="giving-gift-link">
                          {money(g.amountMinor, g.currency)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          <Badge variant="dot" c="gray.9" color={GIFT_COLOR[g.status] ?? 'gray'} size="sm">
                            {t(`giftStatus.${g.status}`, { defaultValue: g.status })}
                          </Badge>
                        </Group>
                      </Table.Td>
                      <Table.Td>{g.fund}</Table.Td>
                      <Table.Td>{date(g.at)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      )}
    </Section>
  );
}
