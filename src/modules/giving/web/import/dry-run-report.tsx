import { Alert, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { ScrollTable } from '../../../../web/components/scroll-table';
import type { ImportReport } from './import-api';
import { Figure, useCount, useImportT } from './import-ui';

/** What the dry run found: counts, where funds and campaigns go, and every bad row. */
export function DryRunReport({ report }: { report: ImportReport }) {
  const { t } = useImportT();
  const count = useCount();
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('report.title')}
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Figure label={t('report.rowsRead')} value={count(report.rowsRead)} testId="import-rows-read" />
          <Figure label={t('report.goodRows')} value={count(report.goodRows)} testId="import-good-rows" />
          <Figure label={t('report.badRows')} value={count(report.badRows)} testId="import-bad-rows" />
          <Figure
            label={t('report.alreadyImported')}
            value={count(report.alreadyImported)}
            testId="import-already"
          />
        </SimpleGrid>
        {!report.complete ? (
          <Alert color="red" variant="light" data-testid="import-incomplete">
            {t('report.incomplete')}
          </Alert>
        ) : null}
        {report.problems.map((p) => (
          <Alert key={p} color="red" variant="light" data-testid="import-problem">
            {t('report.cannotCommit', { problem: p })}
          </Alert>
        ))}
        {report.pending > 0 ? <Text size="sm">{t('report.pending', { count: report.pending })}</Text> : null}
        <Stack gap={2} data-testid="import-targets">
          {report.funds.map((f) => (
            <Text size="sm" key={`fund-${f.value}`}>
              {t('report.fund', { value: f.value, fund: f.fund })}
            </Text>
          ))}
          {report.campaigns.map((c) => (
            <Text size="sm" key={`campaign-${c.value}`}>
              {c.campaign
                ? t('report.campaign', { value: c.value, campaign: c.campaign })
                : t('report.noCampaign', { value: c.value })}
            </Text>
          ))}
          <Text size="sm" c="dimmed">
            {t('report.defaultFund', { fund: report.defaultFund })}
          </Text>
        </Stack>
        {report.errors.length ? (
          <>
            <Title order={3} size="h5">
              {t('report.badRowsTitle')}
            </Title>
            <ScrollTable minWidth={420} label={t('report.badRowsTitle')}>
              <Table striped aria-label={t('report.badRowsTitle')} data-testid="import-errors">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('report.line')}</Table.Th>
                    <Table.Th>{t('report.column')}</Table.Th>
                    <Table.Th>{t('report.reason')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.errors.map((e) => (
                    // A row may have several problems, never two on one column with the same reason.
                    <Table.Tr
                      key={`${e.line}\u0000${e.column}\u0000${e.reason}`}
                      data-testid="import-error-row"
                    >
                      <Table.Td>{e.line}</Table.Td>
                      <Table.Td>{e.column || t('report.wholeRow')}</Table.Td>
                      <Table.Td>{e.reason}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
            {report.errorCount > report.errors.length ? (
              <Text size="sm" c="dimmed">
                {t('report.more', { count: report.errorCount - report.errors.length })}
              </Text>
            ) : null}
          </>
        ) : (
          <Text size="sm" data-testid="import-clean">
            {t('report.clean')}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
