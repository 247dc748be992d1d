import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import type { RunList } from './import-api';
import { useCount, useImportT } from './import-ui';

/** The recent runs, and whether this caller may import (`allowedActions`): the page and the list share it. */
export function useRuns() {
  return useQuery({
    queryKey: ['giving-import', 'runs'],
    queryFn: () => api.get<RunList>('/api/giving/imports?limit=20'),
  });
}

export function RecentRuns() {
  const { t, i18n } = useImportT();
  const count = useCount();
  const runs = useRuns();
  return (
    <Stack gap="sm">
      <Group justify="space-between" gap="sm" wrap="wrap">
        <Title order={2} size="h4">
          {t('runs.title')}
        </Title>
        <CsvDownload
          href={csvHref('/api/giving/imports')}
          label={t('downloadCsv')}
          testId="import-runs-csv"
        />
      </Group>
      {runs.isPending ? (
        <PageLoader />
      ) : runs.isError ? (
        <ErrorAlert error={runs.error} />
      ) : runs.data.runs.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('runs.none')}
        </Text>
      ) : (
        <ScrollTable minWidth={640} label={t('runs.title')}>
          <Table striped aria-label={t('runs.title')} data-testid="import-runs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('runs.when')}</Table.Th>
                <Table.Th>{t('runs.file')}</Table.Th>
                <Table.Th>{t('runs.layout')}</Table.Th>
                <Table.Th>{t('runs.status')}</Table.Th>
                <Table.Th>{t('runs.rows')}</Table.Th>
                <Table.Th>{t('runs.gifts')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.runs.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{new Date(r.createdAt).toLocaleString(i18n.language)}</Table.Td>
                  <Table.Td>{r.fileName}</Table.Td>
                  <Table.Td>{t(`layouts.${r.layout}`, { defaultValue: r.layout })}</Table.Td>
                  <Table.Td>
                    <Badge variant="dot" c="gray.9">
                      {t(`status.${r.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {t('runs.rowCounts', { good: count(r.goodRows), bad: count(r.badRows) })}
                  </Table.Td>
                  <Table.Td>{count(r.giftsCreated)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
