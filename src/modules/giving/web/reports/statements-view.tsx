import { Button, Group, NumberInput, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../../web/api';
import { ConfirmDialog } from '../../../../web/components/confirm-dialog';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { PageLoader } from '../../../../web/components/page-loader';
import { toast } from '../../../../web/components/toast';
import type { StatementProgress } from './reports-api';
import { thisYear, useReportsT } from './ui';

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} lh={1.2} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

/**
 * A year's statements: how many donors gave, how many have had theirs, and (for the development team) a
 * button that sends the missing ones. The server sends each donor's once, whatever is pressed twice.
 */
export function StatementsView() {
  const { t } = useReportsT();
  const queryClient = useQueryClient();
  const [year, setYear] = useState(thisYear() - 1);
  const [confirming, setConfirming] = useState(false);
  const [queued, setQueued] = useState(false);
  const progress = useQuery({
    queryKey: ['giving-reports', 'statements', year],
    queryFn: () => api.get<StatementProgress>(`/api/giving/statements/${year}`),
    // While the job sends, watch the count go down.
    refetchInterval: (q) => (queued && (q.state.data?.missing ?? 0) > 0 ? 3000 : false),
  });
  const send = useMutation({
    mutationFn: () =>
      api.post<{ queued: boolean; run?: { sent: number } }>(`/api/giving/statements/${year}/send`),
    onSuccess: (answer) => {
      setConfirming(false);
      setQueued(answer.queued);
      toast(answer.queued ? t('statements.queued') : t('statements.done', { count: answer.run?.sent ?? 0 }));
      return queryClient.invalidateQueries({ queryKey: ['giving-reports', 'statements'] });
    },
  });
  const ended = year < thisYear();

  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {t('statements.help')}
      </Text>
      <Group align="flex-end">
        <NumberInput
          label={t('year')}
          value={year}
          min={1990}
          max={2200}
          allowDecimal={false}
          onChange={(v) => typeof v === 'number' && v >= 1990 && v <= 2200 && setYear(v)}
          w={110}
          data-testid="statements-year"
        />
      </Group>
      {progress.isPending ? (
        <PageLoader />
      ) : progress.isError ? (
        <ErrorAlert error={progress.error} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
            <Figure label={t('statements.donors')} value={progress.data.donors} testId="statements-donors" />
            <Figure label={t('statements.sent')} value={progress.data.sent} testId="statements-sent" />
            <Figure
              label={t('statements.missing')}
              value={progress.data.missing}
              testId="statements-missing"
            />
            <Figure
              label={t('statements.withoutEmail')}
              value={progress.data.withoutEmail}
              testId="statements-without-email"
            />
          </SimpleGrid>
          {progress.data.allowedActions.includes('send') ? (
            ended ? (
              <Group>
                <Button
                  onClick={() => setConfirming(true)}
                  disabled={progress.data.missing === 0}
                  loading={send.isPending}
                  data-testid="statements-send"
                >
                  {t('statements.send')}
                </Button>
              </Group>
            ) : (
              <Text size="sm">{t('statements.ended')}</Text>
            )
          ) : null}
          <ConfirmDialog
            opened={confirming}
            title={t('statements.send')}
            body={t('statements.confirm', { count: progress.data.missing, year })}
            confirmLabel={t('statements.send')}
            color="passage"
            onClose={() => setConfirming(false)}
            onConfirm={() => send.mutateAsync()}
            testId="statements-confirm"
          />
        </>
      )}
    </Stack>
  );
}
