import { Alert, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../../web/api';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { PageLoader } from '../../../../web/components/page-loader';
import type { RunState } from './import-api';
import { Figure, useCount, useImportT } from './import-ui';

/** The commit: a bar while rows are written (polling the run), then what was written. */
export function CommitProgress({ runId, onAgain }: { runId: string; onAgain: () => void }) {
  const { t } = useImportT();
  const count = useCount();
  const queryClient = useQueryClient();
  const state = useQuery({
    queryKey: ['giving-import', 'run', runId],
    queryFn: async () => {
      const answer = await api.get<RunState>(`/api/giving/imports/${runId}`);
      if (answer.run.status !== 'committing')
        await queryClient.invalidateQueries({ queryKey: ['giving-import', 'runs'] });
      return answer;
    },
    refetchInterval: (q) => (q.state.data?.run.status === 'committing' ? 500 : false),
  });
  if (state.isPending) return <PageLoader />;
  if (state.isError) return <ErrorAlert error={state.error} />;
  const { run, progress, counts } = state.data;
  const finished = run.status === 'committed';
  // A display ratio only.
  const percent = finished
    ? 100
    : progress && progress.total > 0
      ? Math.floor((progress.done / progress.total) * 100)
      : 0;
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('progress.title', { file: run.fileName })}
        </Title>
        <Progress
          value={percent}
          size="xl"
          radius="sm"
          animated={run.status === 'committing'}
          aria-label={t('progress.label')}
          data-testid="import-progress"
          data-percent={percent}
        />
        <Text size="sm" data-testid="import-progress-text">
          {t('progress.text', {
            percent,
            done: count(progress?.done ?? (finished ? run.goodRows : 0)),
            total: count(progress?.total ?? run.goodRows),
          })}
        </Text>
        {run.status === 'failed' ? (
          <Alert color="red" variant="light" role="alert" data-testid="import-failed">
            {t('progress.failed', { reason: run.failure ?? '' })}
          </Alert>
        ) : null}
        {finished ? (
          <Stack gap={4} data-testid="import-result">
            <Text fw={600}>{t('result.title')}</Text>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Figure
                label={t('result.gifts')}
                value={count(counts?.giftsCreated ?? run.giftsCreated)}
                testId="import-result-gifts"
              />
              <Figure
                label={t('result.supportersCreated')}
                value={count(counts?.supportersCreated ?? run.supportersCreated)}
                testId="import-result-supporters"
              />
              <Figure label={t('result.skipped')} value={count(run.badRows)} testId="import-result-skipped" />
              <Figure
                label={t('result.already')}
                value={count(counts?.giftsAlreadyImported ?? 0)}
                testId="import-result-already"
              />
            </SimpleGrid>
            {counts ? (
              <Text size="sm" c="dimmed" data-testid="import-result-detail">
                {t('result.detail', {
                  settled: count(counts.giftsSettled),
                  refunded: count(counts.giftsRefunded),
                  failed: count(counts.giftsFailed),
                  matched: count(counts.supportersMatched),
                  pending: count(counts.giftsPendingSkipped),
                })}
              </Text>
            ) : null}
            <Text size="sm" c="dimmed">
              {t('result.noEmail')}
            </Text>
          </Stack>
        ) : null}
        {run.status !== 'committing' ? (
          <Group>
            <Button variant="light" onClick={onAgain} data-testid="import-again">
              {t('result.again')}
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}
