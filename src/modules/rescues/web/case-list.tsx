import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { PageLoader } from '../../../web/components/page-loader';
import { CASE_STATUS_LIST, type CaseList, type CaseStatus, caseLink, rescueKeys } from './rescues-api';
import { StatusBadge, useRescuesT } from './ui';

const PAGE = 50;

/** Cases by code, filtered by status and flag, paged by code (keyset: "show more" asks after the last). */
export function CaseListView() {
  const { t } = useRescuesT();
  const date = useDateFormat();
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status') ?? '';
  const status = (CASE_STATUS_LIST as readonly string[]).includes(statusParam) ? statusParam : '';
  const flagged = params.get('flagged') === '1';
  const setFilter = (next: { status?: string; flagged?: boolean }) => {
    const s = next.status ?? status;
    const f = next.flagged ?? flagged;
    setParams(
      { view: 'cases', ...(s ? { status: s } : {}), ...(f ? { flagged: '1' } : {}) },
      { replace: true },
    );
  };
  const cases = useInfiniteQuery({
    queryKey: rescueKeys.list(status, flagged),
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (status) q.set('status', status);
      if (flagged) q.set('flagged', 'true');
      if (pageParam) q.set('after', pageParam);
      return api.get<CaseList>(`/api/rescues?${q}`);
    },
    getNextPageParam: (last) => last.nextAfter ?? undefined,
  });
  const rows = cases.data?.pages.flatMap((p) => p.cases) ?? [];

  return (
    <Stack gap="md">
      <Group gap="md" align="flex-end" wrap="wrap">
        <NativeSelect
          label={t('list.statusFilter')}
          value={status}
          onChange={(e) => setFilter({ status: e.currentTarget.value })}
          data={[
            { value: '', label: t('list.anyStatus') },
            ...CASE_STATUS_LIST.map((s) => ({ value: s, label: t(`status.${s}`) })),
          ]}
          data-testid="filter-status"
          w={220}
        />
        <Checkbox
          label={t('list.flaggedOnly')}
          checked={flagged}
          onChange={(e) => setFilter({ flagged: e.currentTarget.checked })}
          data-testid="filter-flagged"
          mb={8}
        />
      </Group>
      {cases.isPending ? (
        <PageLoader />
      ) : cases.isError ? (
        <ErrorAlert error={cases.error} />
      ) : rows.length === 0 ? (
        <Text data-testid="case-list-empty">{t('list.empty')}</Text>
      ) : (
        <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
          <Table verticalSpacing="sm" data-testid="case-list">
            <Table.Caption>{t('list.shown', { count: rows.length })}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('list.code')}</Table.Th>
                <Table.Th>{t('list.status')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('list.travellers')}</Table.Th>
                <Table.Th visibleFrom="md">{t('list.destination')}</Table.Th>
                <Table.Th visibleFrom="md">{t('list.opened')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => (
                <Table.Tr key={c.code} data-testid="case-row" data-code={c.code}>
                  <Table.Td>
                    <Anchor component={Link} to={caseLink(c.code)} ff="monospace" fw={600}>
                      {c.code}
                    </Anchor>
                    <Group gap={4} mt={2}>
                      {c.flagged && (
                        <Badge variant="dot" color="red" c="gray.9" size="sm">
                          {t('list.flagged')}
                        </Badge>
                      )}
                      {c.overdueLegs > 0 && (
                        <Badge variant="dot" color="orange" c="gray.9" size="sm">
                          {t('list.overdue', { count: c.overdueLegs })}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status as CaseStatus} />
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{c.travellers}</Table.Td>
                  <Table.Td visibleFrom="md">
                    {c.destination ? t(`destination.${c.destination}`) : t('destination.none')}
                  </Table.Td>
                  <Table.Td visibleFrom="md">{date(c.openedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {cases.hasNextPage && (
            <Group justify="center" mt="sm">
              <Button
                variant="default"
                onClick={() => cases.fetchNextPage()}
                loading={cases.isFetchingNextPage}
                data-testid="case-list-more"
              >
                {t('list.more')}
              </Button>
            </Group>
          )}
        </Paper>
      )}
    </Stack>
  );
}
