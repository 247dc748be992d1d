import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { PageHeader } from '../components/page-header';
import { PageLoader } from '../components/page-loader';
import { useDocumentTitle } from '../components/use-document-title';
import classes from '../shell.module.css';

const STATUSES = ['queued', 'sent', 'held', 'failed'] as const;
type OutboxStatus = (typeof STATUSES)[number];
const PAGE_SIZE = 50;

interface OutboxSummary {
  id: string;
  to: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

interface OutboxList {
  mode: 'smtp' | 'outbox';
  total: number;
  messages: OutboxSummary[];
}

interface OutboxMessage extends OutboxSummary {
  text: string;
  html: string | null;
  lastError: string | null;
  /** A one-time link was removed: it went to the recipient only. */
  secretRemoved: boolean;
  /** A held invitation the caller sent: its link may be revealed (audited). */
  revealable: boolean;
}

const STATUS_COLOR: Record<OutboxStatus, string> = {
  queued: 'gray',
  sent: 'green',
  held: 'yellow',
  failed: 'red',
};

function isStatus(value: string | null): value is OutboxStatus {
  return STATUSES.includes(value as OutboxStatus);
}

function useDateFormat() {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (iso: string) => format.format(new Date(iso));
}

function StatusBadge({ status }: { status: OutboxStatus }) {
  const { t } = useTranslation();
  return (
    <Badge
      color={STATUS_COLOR[status]}
      variant="dot"
      radius="sm"
      c="gray.9"
      // Badges truncate by default; a status must always be read in full, even in a narrow column.
      styles={{ root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } }}
      data-testid="message-status"
    >
      {t(`outbox.status.${status}`)}
    </Badge>
  );
}

export function OutboxPage() {
  const { t } = useTranslation();
  const formatDate = useDateFormat();
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : null;
  const openId = params.get('message');
  useDocumentTitle(t('outbox.title'));

  const list = useInfiniteQuery({
    queryKey: ['outbox', status],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (status) query.set('status', status);
      if (pageParam) query.set('before', pageParam);
      return api.get<OutboxList>(`/api/outbox?${query}`);
    },
    getNextPageParam: (last) =>
      last.messages.length === PAGE_SIZE ? (last.messages.at(-1)?.createdAt ?? null) : null,
  });

  const setParam = (key: string, value: string | null) =>
    setParams(
      (prev) => {
        const nextParams = new URLSearchParams(prev);
        if (value) nextParams.set(key, value);
        else nextParams.delete(key);
        return nextParams;
      },
      { replace: key === 'status' },
    );

  const first = list.data?.pages[0];
  const messages = list.data?.pages.flatMap((p) => p.messages) ?? [];

  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={t('outbox.title')} intro={t('outbox.intro')} />

      {first && (
        <Alert
          color="passage"
          variant="light"
          title={first.mode === 'smtp' ? t('outbox.mode.smtpTitle') : t('outbox.mode.outboxTitle')}
          data-testid="mail-mode"
          data-mode={first.mode}
        >
          {first.mode === 'smtp' ? t('outbox.mode.smtpBody') : t('outbox.mode.outboxBody')}
        </Alert>
      )}

      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
        <Stack gap="md">
          <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
            <NativeSelect
              label={t('outbox.filter')}
              value={status ?? ''}
              onChange={(e) => setParam('status', e.currentTarget.value || null)}
              data={[
                { value: '', label: t('outbox.status.all') },
                ...STATUSES.map((s) => ({ value: s, label: t(`outbox.status.${s}`) })),
              ]}
              w={{ base: '100%', xs: 220 }}
              data-testid="status-filter"
            />
            {first && (
              <Text size="sm" c="dimmed" role="status" data-testid="outbox-count">
                {t('outbox.count', { shown: messages.length, total: first.total, count: first.total })}
              </Text>
            )}
          </Group>

          {list.isPending ? (
            <PageLoader />
          ) : list.isError ? (
            <ErrorAlert error={list.error} />
          ) : messages.length === 0 ? (
            <Text c="dimmed" py="lg" ta="center" data-testid="outbox-empty">
              {status ? t('outbox.emptyFiltered') : t('outbox.empty')}
            </Text>
          ) : (
            <Table verticalSpacing="sm" highlightOnHover data-testid="outbox-table">
              <Table.Caption>{t('outbox.caption')}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('outbox.columns.subject')}</Table.Th>
                  <Table.Th visibleFrom="sm">{t('outbox.columns.to')}</Table.Th>
                  <Table.Th>{t('outbox.columns.status')}</Table.Th>
                  <Table.Th visibleFrom="md">{t('outbox.columns.attempts')}</Table.Th>
                  <Table.Th visibleFrom="xs">{t('outbox.columns.created')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {messages.map((m) => (
                  <Table.Tr key={m.id} data-testid="outbox-row">
                    <Table.Td>
                      <UnstyledButton
                        className={classes.subjectButton}
                        onClick={() => setParam('message', m.id)}
                        fw={600}
                        c="passage.8"
                        td="underline"
                        fz="sm"
                      >
                        {m.subject}
                      </UnstyledButton>
                    </Table.Td>
                    <Table.Td visibleFrom="sm">{m.to}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={m.status} />
                    </Table.Td>
                    <Table.Td visibleFrom="md">{m.attempts}</Table.Td>
                    <Table.Td visibleFrom="xs">{formatDate(m.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}

          {list.hasNextPage && (
            <Group justify="center">
              <Button
                variant="default"
                onClick={() => void list.fetchNextPage()}
                loading={list.isFetchingNextPage}
              >
                {t('outbox.older')}
              </Button>
            </Group>
          )}
        </Stack>
      </Paper>

      <Modal
        opened={Boolean(openId)}
        onClose={() => setParam('message', null)}
        title={t('outbox.detail.title')}
        size="xl"
        fullScreen={false}
        closeButtonProps={{ 'aria-label': t('shell.close') }}
      >
        {openId && <MessageDetail id={openId} />}
      </Modal>
    </Stack>
  );
}

function MessageDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const formatDate = useDateFormat();
  const message = useQuery({
    queryKey: ['outbox-message', id],
    queryFn: () => api.get<OutboxMessage>(`/api/outbox/${encodeURIComponent(id)}`),
  });
  const reveal = useMutation({
    mutationFn: () => api.post<{ text: string }>(`/api/outbox/${encodeURIComponent(id)}/reveal`),
  });
  if (message.isPending) return <PageLoader />;
  if (message.isError) return <ErrorAlert error={message.error} />;
  const m = message.data;
  const text = reveal.data?.text ?? m.text;
  const facts: [string, ReactNode][] = [
    [t('outbox.columns.to'), m.to],
    [t('outbox.columns.status'), <StatusBadge key="s" status={m.status} />],
    [t('outbox.columns.created'), formatDate(m.createdAt)],
    [t('outbox.detail.sentAt'), m.sentAt ? formatDate(m.sentAt) : t('outbox.detail.notSent')],
    [t('outbox.columns.attempts'), m.attempts],
  ];
  return (
    <Stack gap="md" data-testid="message-detail">
      <Title order={2} size="h4">
        {m.subject}
      </Title>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs" component="dl" m={0}>
        {facts.map(([label, value]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed" fw={600} tt="uppercase">
              {label}
            </Text>
            <Text component="dd" size="sm" m={0}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {m.lastError && (
        <Alert color="red" variant="light" title={t('outbox.detail.lastError')}>
          {m.lastError}
        </Alert>
      )}
      {m.secretRemoved && !reveal.data && (
        <Alert color="blue" variant="light" data-testid="secret-removed">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {t(m.revealable ? 'outbox.detail.revealable' : 'outbox.detail.secretRemoved')}
            </Text>
            {m.revealable && (
              <Button size="xs" variant="default" loading={reveal.isPending} onClick={() => reveal.mutate()}>
                {t('outbox.detail.reveal')}
              </Button>
            )}
          </Stack>
        </Alert>
      )}
      {reveal.isError && <ErrorAlert error={reveal.error} />}
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          {t('outbox.detail.body')}
        </Text>
        <Code block className={classes.messageBody} tabIndex={0} aria-label={t('outbox.detail.body')}>
          {text}
        </Code>
        {m.html && (
          <Text size="xs" c="dimmed">
            {t('outbox.detail.htmlNote')}
          </Text>
        )}
      </Stack>
    </Stack>
  );
}
