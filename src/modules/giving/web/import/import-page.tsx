import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Input,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import i18next from 'i18next';
import { type ReactNode, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../../../web/api';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { PageLoader } from '../../../../web/components/page-loader';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { GIVING_IMPORT_NS } from './i18n/namespace';
import { registerGivingImportTranslations } from './i18n/register';
import {
  IMPORT_FIELDS,
  IMPORT_LAYOUTS,
  type ImportField,
  type ImportLayout,
  type ImportReport,
  type ImportRun,
  MAX_FILE_BYTES,
  type RunList,
  type RunState,
} from './import-api';

registerGivingImportTranslations(i18next);

const LAYOUTS: readonly ImportLayout[] = IMPORT_LAYOUTS;
const LEAVE_OUT = '';

function useImportT() {
  return useTranslation(GIVING_IMPORT_NS);
}

function useCount() {
  const { i18n } = useImportT();
  return (n: number) => n.toLocaleString(i18n.language);
}

/** A table that scrolls sideways on a phone; the region takes the keyboard focus so it can be scrolled. */
function ScrollingTable({
  minWidth,
  label,
  children,
}: {
  minWidth: number;
  label: string;
  children: ReactNode;
}) {
  return (
    <Table.ScrollContainer type="native" minWidth={minWidth} tabIndex={0} role="region" aria-label={label}>
      {children}
    </Table.ScrollContainer>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={24} fw={700} lh={1.2} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

/**
 * CSV import of contacts and gifts (CiviCRM contribution or Salesforce NPSP Data Import layout): choose a
 * file, see the detected layout and the column mapping (change either and check again), read the dry run's
 * bad rows, then import all or nothing (or skip the bad rows) and watch the progress. Administrators see the
 * recent runs only: the server lets only the development team import.
 */
export function GivingImportPage() {
  const { t } = useImportT();
  // The server says whether this caller imports (the development team) or only reads the runs.
  const runs = useRuns();
  const mayImport = runs.data?.allowedActions.includes('import') ?? false;
  useDocumentTitle(t('title'));
  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('intro')}</Text>
      </Stack>
      {runs.isPending ? null : mayImport ? (
        <ImportWizard />
      ) : (
        <Text size="sm" data-testid="import-read-only">
          {t('readOnly')}
        </Text>
      )}
      <RecentRuns />
    </Stack>
  );
}

interface Choices {
  layout?: ImportLayout;
  mapping?: Record<string, ImportField | null>;
}

function ImportWizard() {
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

/** The detected layout and the column mapping, each changeable (then the file is checked again). */
function MappingStep({
  report,
  choices,
  onChange,
}: {
  report: ImportReport;
  choices: Choices;
  onChange: (next: Choices) => void;
}) {
  const { t } = useImportT();
  const layout = choices.layout ?? report.layout;
  const fieldOptions = [
    { value: LEAVE_OUT, label: t('mapping.leaveOut') },
    ...IMPORT_FIELDS.map((f) => ({ value: f, label: t(`fields.${f}`) })),
  ];
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('mapping.title')}
        </Title>
        <Group align="flex-end">
          <Select
            label={t('mapping.layout')}
            data-testid="import-layout"
            data={LAYOUTS.map((l) => ({ value: l, label: t(`layouts.${l}`) }))}
            value={layout}
            allowDeselect={false}
            // A new layout brings its own default mapping: earlier column choices are dropped.
            onChange={(v) => v && onChange({ layout: v as ImportLayout })}
            w={260}
          />
          {!choices.layout ? (
            <Badge variant="dot" c="gray.9" data-testid="import-detected">
              {t('mapping.detected')}
            </Badge>
          ) : null}
        </Group>
        <ScrollingTable minWidth={420} label={t('mapping.table')}>
          <Table striped aria-label={t('mapping.table')} data-testid="import-mapping">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('mapping.column')}</Table.Th>
                <Table.Th>{t('mapping.field')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.headers.map((header) => {
                const field =
                  choices.mapping && header in choices.mapping
                    ? choices.mapping[header]
                    : report.mapping[header];
                return (
                  <Table.Tr key={header} data-testid="import-mapping-row">
                    <Table.Td>{header}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={t('mapping.fieldFor', { header })}
                        data={fieldOptions}
                        value={field ?? LEAVE_OUT}
                        allowDeselect={false}
                        searchable
                        onChange={(v) =>
                          onChange({
                            layout,
                            mapping: { ...choices.mapping, [header]: v ? (v as ImportField) : null },
                          })
                        }
                        size="xs"
                        maw={260}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollingTable>
      </Stack>
    </Paper>
  );
}

/** What the dry run found: counts, where funds and campaigns go, and every bad row. */
function DryRunReport({ report }: { report: ImportReport }) {
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
            <ScrollingTable minWidth={420} label={t('report.badRowsTitle')}>
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
            </ScrollingTable>
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

/** The commit: a bar while rows are written (polling the run), then what was written. */
function CommitProgress({ runId, onAgain }: { runId: string; onAgain: () => void }) {
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

function useRuns() {
  return useQuery({
    queryKey: ['giving-import', 'runs'],
    queryFn: () => api.get<RunList>('/api/giving/imports?limit=20'),
  });
}

function RecentRuns() {
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
        <ScrollingTable minWidth={640} label={t('runs.title')}>
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
        </ScrollingTable>
      )}
    </Stack>
  );
}
