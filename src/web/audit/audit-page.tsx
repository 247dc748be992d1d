import {
  Badge,
  Button,
  Code,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PageHeader } from '../components/page-header';
import { PageLoader } from '../components/page-loader';
import { useDocumentTitle } from '../components/use-document-title';
import classes from '../shell.module.css';

const OUTCOMES = ['allowed', 'denied', 'succeeded', 'failed'] as const;
const OUTCOME_COLOR: Record<string, string> = {
  allowed: 'blue',
  denied: 'red',
  succeeded: 'green',
  failed: 'orange',
};
const FILTERS = ['action', 'actorId', 'resourceCode', 'outcome', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];
const PAGE_SIZE = 50;

interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  resourceType: string;
  resourceCode: string | null;
  outcome: string;
  requestId: string | null;
}

/** `2025-01-31T09:30` typed in the reader's time zone, as the ISO instant the API wants. */
function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function isoToLocal(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The audit log, newest first: who did what to which record (by code), when, and the outcome. */
export function AuditPage() {
  const { t } = useTranslation();
  const formatDate = useDateFormat('long');
  const [params, setParams] = useSearchParams();
  useDocumentTitle(t('audit.title'));
  const applied = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<Filter, string>;
  const [draft, setDraft] = useState<Record<Filter, string>>({
    ...applied,
    from: isoToLocal(applied.from || null),
    to: isoToLocal(applied.to || null),
  });

  const log = useInfiniteQuery({
    queryKey: ['audit', applied],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      for (const f of FILTERS) if (applied[f]) query.set(f, applied[f]);
      if (pageParam) query.set('beforeSeq', String(pageParam));
      return api.get<{ entries: AuditEntry[]; nextBeforeSeq: number | null }>(`/api/audit?${query}`);
    },
    getNextPageParam: (last) => last.nextBeforeSeq,
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      const raw = draft[f].trim();
      const value = f === 'from' || f === 'to' ? localToIso(raw) : raw;
      if (value) next.set(f, value);
    }
    setParams(next, { replace: true });
  };
  const clear = () => {
    setDraft({ action: '', actorId: '', resourceCode: '', outcome: '', from: '', to: '' });
    setParams({}, { replace: true });
  };
  const set = (f: Filter) => (e: { currentTarget: { value: string } }) =>
    setDraft((d) => ({ ...d, [f]: e.currentTarget.value }));
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  return (
    <Stack gap="lg" maw={1200}>
      <PageHeader title={t('audit.title')} intro={t('audit.intro')} />
      <Paper withBorder radius="md" p={{ base: 'md', sm: 'lg' }}>
        <form onSubmit={apply} noValidate aria-label={t('audit.filters')}>
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm">
              <TextInput
                label={t('audit.filter.action')}
                placeholder="compartment.grant"
                value={draft.action}
                onChange={set('action')}
                data-testid="audit-action"
              />
              <TextInput
                label={t('audit.filter.resourceCode')}
                value={draft.resourceCode}
                onChange={set('resourceCode')}
                data-testid="audit-resource"
              />
              <NativeSelect
                label={t('audit.filter.outcome')}
                value={draft.outcome}
                onChange={set('outcome')}
                data={[
                  { value: '', label: t('audit.outcome.all') },
                  ...OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) })),
                ]}
                data-testid="audit-outcome"
              />
              <TextInput
                label={t('audit.filter.actorId')}
                value={draft.actorId}
                onChange={set('actorId')}
                data-testid="audit-actor"
              />
              <TextInput
                type="datetime-local"
                label={t('audit.filter.from')}
                description={t('audit.localTime', { zone })}
                value={draft.from}
                onChange={set('from')}
                data-testid="audit-from"
              />
              <TextInput
                type="datetime-local"
                label={t('audit.filter.to')}
                description={t('audit.localTime', { zone })}
                value={draft.to}
                onChange={set('to')}
                data-testid="audit-to"
              />
            </SimpleGrid>
            <Group gap="sm">
              <Button type="submit" data-testid="audit-apply">
                {t('audit.apply')}
              </Button>
              <Button variant="default" onClick={clear}>
                {t('audit.clear')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
        {log.isPending ? (
          <PageLoader />
        ) : log.isError ? (
          <ErrorAlert error={log.error} />
        ) : entries.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg" data-testid="audit-empty">
            {t('audit.empty')}
          </Text>
        ) : (
          <Stack gap="md">
            <Table verticalSpacing="xs" highlightOnHover data-testid="audit-table">
              <Table.Caption>{t('audit.caption', { zone })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('audit.columns.at')}</Table.Th>
                  <Table.Th>{t('audit.columns.action')}</Table.Th>
                  <Table.Th visibleFrom="sm">{t('audit.columns.resource')}</Table.Th>
                  <Table.Th visibleFrom="md">{t('audit.columns.actor')}</Table.Th>
                  <Table.Th>{t('audit.columns.outcome')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr key={e.seq} data-testid="audit-row" data-action={e.action}>
                    <Table.Td>
                      <Text size="sm" component="time" dateTime={e.at}>
                        {formatDate(e.at)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Code fz="xs" className={classes.wrapAnywhere}>
                        {e.action}
                      </Code>
                    </Table.Td>
                    <Table.Td visibleFrom="sm">
                      <Text size="sm" className={classes.wrapAnywhere}>
                        {e.resourceType}
                        {e.resourceCode ? ` · ${e.resourceCode}` : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td visibleFrom="md">
                      <Text size="sm">
                        {e.actorRole
                          ? t(`roles.${e.actorRole}`, { defaultValue: e.actorRole })
                          : t('audit.system')}
                      </Text>
                      {e.actorId && (
                        <Text size="xs" c="dimmed" title={e.actorId}>
                          {e.actorId.slice(0, 8)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        color={OUTCOME_COLOR[e.outcome] ?? 'gray'}
                        variant="dot"
                        c="gray.9"
                        styles={{ root: { overflow: 'visible' }, label: { overflow: 'visible' } }}
                      >
                        {t(`audit.outcome.${e.outcome}`, { defaultValue: e.outcome })}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {log.hasNextPage && (
              <Group justify="center">
                <Button
                  variant="default"
                  onClick={() => void log.fetchNextPage()}
                  loading={log.isFetchingNextPage}
                  data-testid="audit-older"
                >
                  {t('audit.older')}
                </Button>
              </Group>
            )}
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}
