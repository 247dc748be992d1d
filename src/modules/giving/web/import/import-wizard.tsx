import { Alert, Button, Checkbox, Group, Input, Paper, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ApiError, api } from '../../../../web/api';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { CommitProgress } from './commit-progress';
import { DryRunReport } from './dry-run-report';
import { type ImportReport, type ImportRun, MAX_FILE_BYTES } from './import-api';
import { type Choices, useCount, useImportT } from './import-ui';
import { MappingStep } from './mapping-step';

export function ImportWizard() {
  const { t } = useImportT();
  const count = useCount();
  const inputId = useId();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [choices, setChoices] = useState<Choices>({});
  const [dirty, setDirty] = useState(false);
  const [skip, setSkip] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);

  const check = useMutation({
    mutationFn: (input: { file: { name: string; text: string }; choices: Choices }) =>
      api.post<ImportReport>('/api/giving/imports', {
        fileName: input.file.name,
        csv: input.file.text,
        ...input.choices,
      }),
    onSuccess: (answer) => {
      setReport(answer);
      setDirty(false);
      setSkip(false);
      return queryClient.invalidateQueries({ queryKey: ['giving-import', 'runs'] });
    },
  });

  const commit = useMutation({
    mutationFn: async (id: string) => {
      try {
        return await api.post<{ run: ImportRun }>(`/api/giving/imports/${id}/commit`, { skipBadRows: skip });
      } catch (error) {
        // The server forgot the file (time or a restart): send it again with the same choices.
        if (error instanceof ApiError && error.status === 410 && file)
          return api.post<{ run: ImportRun }>(`/api/giving/imports/${id}/commit`, {
            skipBadRows: skip,
            csv: file.text,
            settings: choices,
          });
        throw error;
      }
    },
    onSuccess: (answer) => setRunId(answer.run.id),
  });

  async function choose(chosen: File | undefined) {
    setReport(null);
    setChoices({});
    setRunId(null);
    setFileError(null);
    check.reset();
    commit.reset();
    if (!chosen) return setFile(null);
    if (chosen.size > MAX_FILE_BYTES) {
      setFile(null);
      return setFileError(t('file.tooLarge', { mb: MAX_FILE_BYTES / 1024 / 1024 }));
    }
    setFile({ name: chosen.name, text: await chosen.text() });
  }

  function startOver() {
    setFile(null);
    setReport(null);
    setChoices({});
    setRunId(null);
    check.reset();
    commit.reset();
  }

  if (runId) return <CommitProgress runId={runId} onAgain={startOver} />;

  const blocked =
    !report ||
    dirty ||
    !report.complete ||
    report.problems.length > 0 ||
    report.goodRows === 0 ||
    (report.badRows > 0 && !skip);

  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="md">
        <Stack gap="sm">
          <Input.Wrapper
            label={t('file.label')}
            description={t('file.help', { mb: MAX_FILE_BYTES / 1024 / 1024 })}
            id={`${inputId}-wrapper`}
            error={fileError}
          >
            <input
              id={inputId}
              type="file"
              accept=".csv,text/csv"
              aria-label={t('file.label')}
              data-testid="import-file"
              onChange={(e) => void choose(e.currentTarget.files?.[0])}
              style={{ display: 'block', marginTop: 6, maxWidth: '100%' }}
            />
          </Input.Wrapper>
          <Group>
            <Button
              data-testid="import-check"
              disabled={!file}
              loading={check.isPending}
              onClick={() => file && check.mutate({ file, choices })}
            >
              {report ? t('check.again') : t('check.button')}
            </Button>
          </Group>
          {check.isError ? <ErrorAlert error={check.error} testId="import-check-error" /> : null}
        </Stack>
      </Paper>

      {report ? (
        <>
          <MappingStep
            report={report}
            choices={choices}
            onChange={(next) => {
              setChoices(next);
              setDirty(true);
            }}
          />
          {dirty ? (
            <Alert color="yellow" variant="light" data-testid="import-dirty">
              {t('mapping.dirty')}
            </Alert>
          ) : null}
          <DryRunReport report={report} />
          <Paper withBorder radius="md" p="md">
            <Stack gap="sm">
              {report.badRows > 0 ? (
                <Checkbox
                  data-testid="import-skip"
                  checked={skip}
                  onChange={(e) => setSkip(e.currentTarget.checked)}
                  label={t('commit.skip', { count: report.badRows })}
                  description={t('commit.skipHelp')}
                />
              ) : null}
              <Group>
                <Button
                  data-testid="import-commit"
                  disabled={blocked}
                  loading={commit.isPending}
                  onClick={() => commit.mutate(report.run.id)}
                >
                  {t('commit.button', { count: report.goodRows - report.alreadyImported - report.pending })}
                </Button>
                <Text size="sm" c="dimmed" data-testid="import-commit-help">
                  {report.badRows > 0 && !skip
                    ? t('commit.blockedBadRows')
                    : t('commit.help', { good: count(report.goodRows) })}
                </Text>
              </Group>
              {commit.isError ? <ErrorAlert error={commit.error} testId="import-commit-error" /> : null}
            </Stack>
          </Paper>
        </>
      ) : null}
    </Stack>
  );
}
