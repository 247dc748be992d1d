import { Alert, Badge, Button, Container, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import i18next from 'i18next';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PageLoader } from '../../../../web/components/page-loader';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { useSession, useSignOut } from '../../../../web/session';
import { rescuesNamespace } from '../i18n/namespace';
import type { CheckInKind, LegStatus, MyLeg } from '../rescues-api';
import { useRescuesT } from '../ui';

rescuesNamespace.register();

const LEGS_KEY = ['field', 'legs'] as const;
/** On a bad connection an answer may never come: give up after this long and offer to try again. */
const TIMEOUT_MS = 20_000;

class SendError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A small fetch with a timeout: this page must not wait forever on a dropped connection. */
async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      signal: controller.signal,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new SendError(0, '');
  } finally {
    clearTimeout(timer);
  }
  const data = (await response.json().catch(() => null)) as { message?: string } | null;
  if (!response.ok) throw new SendError(response.status, data?.message ?? '');
  return data as T;
}

const ACTIONS_FOR: Record<LegStatus, CheckInKind[]> = {
  planned: ['pick_up', 'delay', 'problem'],
  under_way: ['hand_off', 'check_in', 'delay', 'problem'],
  delayed: ['pick_up', 'hand_off', 'check_in', 'problem'],
  completed: [],
  compromised: [],
};
const PRIMARY: CheckInKind[] = ['pick_up', 'hand_off'];

type Sending = {
  kind: CheckInKind;
  note: string;
  state: 'sending' | 'sent' | 'failed';
  error?: SendError;
  at?: Date;
};

/**
 * The field partner's page: their legs by code, and one big button per report. Built for a phone on a
 * poor connection: every report shows sending / sent / not sent, and a failed one can be sent again
 * (or goes by itself when the phone comes back online). The note is held in memory only.
 */
export function FieldPage() {
  const { t } = useRescuesT();
  const session = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const [online, setOnline] = useState(() => (typeof navigator === 'undefined' ? true : navigator.onLine));
  useDocumentTitle(t('field.title'));
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  const signedIn = Boolean(session.data?.staff && session.data.secondFactor);
  const legs = useQuery({
    queryKey: LEGS_KEY,
    queryFn: () => call<{ legs: MyLeg[] }>('GET', '/api/field/legs'),
    enabled: signedIn,
    refetchInterval: 60_000,
    retry: (n, e) => n < 3 && (e as SendError).status === 0,
  });
  const time = new Intl.DateTimeFormat(i18next.language, { timeStyle: 'short' });

  if (session.isPending) return <PageLoader />;
  return (
    <Container size={560} px="sm" py="md">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={1} size="h2">
            {t('field.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('field.intro')}
          </Text>
        </Stack>
        {!online && (
          <Alert color="yellow" variant="filled" c="dark.9" role="status" data-testid="field-offline">
            {t('field.state.offline')}
          </Alert>
        )}
        {!signedIn ? (
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Text>{t('field.signIn')}</Text>
              <Button component={Link} to={session.data ? '/console' : '/sign-in?next=%2Ffield'} size="lg">
                {t('field.signInButton')}
              </Button>
            </Stack>
          </Paper>
        ) : legs.isPending ? (
          <PageLoader />
        ) : legs.isError ? (
          <Alert color="red" variant="light" role="alert" title={t('field.state.failed')}>
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{(legs.error as SendError).message || t('field.timeout')}</Text>
              <Button variant="default" onClick={() => legs.refetch()}>
                {t('field.state.retry')}
              </Button>
            </Stack>
          </Alert>
        ) : legs.data.legs.length === 0 ? (
          <Text data-testid="field-none">{t('field.none')}</Text>
        ) : (
          <Stack gap="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
            {legs.data.legs.map((leg) => (
              <FieldLeg key={leg.id} leg={leg} online={online} />
            ))}
          </Stack>
        )}
        {signedIn && legs.isSuccess && (
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {t('field.updated', { time: time.format(legs.dataUpdatedAt) })}
            </Text>
            <Button
              variant="default"
              size="sm"
              onClick={() => legs.refetch()}
              loading={legs.isFetching}
              data-testid="field-refresh"
            >
              {t('field.refresh')}
            </Button>
          </Group>
        )}
        {signedIn && (
          <Group justify="space-between" pt="sm" data-testid="field-account">
            <Button
              component={Link}
              to="/console/security"
              variant="subtle"
              size="sm"
              data-testid="field-security"
            >
              {t('field.security')}
            </Button>
            <Button
              variant="default"
              size="sm"
              data-testid="field-sign-out"
              onClick={async () => {
                await signOut();
                navigate('/', { replace: true });
              }}
            >
              {t('field.signOut')}
            </Button>
          </Group>
        )}
      </Stack>
    </Container>
  );
}

function FieldLeg({ leg, online }: { leg: MyLeg; online: boolean }) {
  const { t } = useRescuesT();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [sending, setSending] = useState<Sending | null>(null);
  const latest = useRef(sending);
  latest.current = sending;
  const fmt = new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeStyle: 'short' });
  const when = (iso: string | null) => (iso ? fmt.format(new Date(iso)) : '—');
  const overdue = leg.checkInDueAt !== null && new Date(leg.checkInDueAt) < new Date();

  const send = useCallback(
    async (kind: CheckInKind, text: string) => {
      setSending({ kind, note: text, state: 'sending' });
      try {
        await call('POST', `/api/field/legs/${encodeURIComponent(leg.id)}/report`, {
          kind,
          ...(text.trim() ? { note: text.trim() } : {}),
        });
        setSending({ kind, note: '', state: 'sent', at: new Date() });
        setNote('');
        await queryClient.invalidateQueries({ queryKey: LEGS_KEY });
      } catch (e) {
        setSending({ kind, note: text, state: 'failed', error: e as SendError });
      }
    },
    [leg.id, queryClient],
  );

  // A report that failed for want of a connection goes again by itself when the phone is back online.
  useEffect(() => {
    const s = latest.current;
    if (online && s?.state === 'failed' && s.error?.status === 0) void send(s.kind, s.note);
  }, [online, send]);

  const busy = sending?.state === 'sending';
  const title = t('field.leg', { code: leg.code, n: leg.position });
  return (
    <Paper
      component="li"
      withBorder
      radius="md"
      p="md"
      data-testid="field-leg"
      data-code={leg.code}
      data-status={leg.status}
    >
      <Stack gap="sm">
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Title order={2} size="h4" ff="monospace">
            {title}
          </Title>
          <Badge
            variant="dot"
            c="gray.9"
            color={leg.status === 'under_way' ? 'blue' : leg.status === 'delayed' ? 'yellow' : 'gray'}
            data-testid="field-leg-status"
          >
            {t(`legStatus.${leg.status}`)}
          </Badge>
        </Group>
        <Text size="lg" fw={600}>
          {leg.fromPlace} → {leg.toPlace}
        </Text>
        <Text size="sm">
          {t('field.people', { count: leg.travellers })} ·{' '}
          {t('field.window', { start: when(leg.plannedStart), end: when(leg.plannedEnd) })}
        </Text>
        {leg.checkInDueAt && (
          <Text size="sm" fw={overdue ? 700 : 400} c={overdue ? 'red.9' : undefined}>
            {overdue
              ? t('field.overdue', { date: when(leg.checkInDueAt) })
              : t('field.due', { date: when(leg.checkInDueAt) })}
          </Text>
        )}
        <Textarea
          label={t('field.note')}
          aria-label={t('field.noteLabel', { code: leg.code, n: leg.position })}
          autosize
          minRows={1}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          disabled={busy}
          data-testid="field-note"
        />
        <Stack gap="xs">
          {ACTIONS_FOR[leg.status].map((kind) => (
            <Button
              key={kind}
              size="lg"
              fullWidth
              variant={PRIMARY.includes(kind) ? 'filled' : kind === 'problem' ? 'outline' : 'default'}
              color={kind === 'problem' ? 'red.8' : undefined}
              disabled={busy}
              loading={busy && sending?.kind === kind}
              onClick={() => send(kind, note)}
              data-testid={`field-${kind}`}
            >
              {t(`field.actions.${kind}`)}
            </Button>
          ))}
        </Stack>
        <div
          role="status"
          aria-live="polite"
          data-testid="field-send-state"
          data-state={sending?.state ?? ''}
        >
          {sending?.state === 'sending' && (
            <Text size="sm">
              {t(`field.actions.${sending.kind}`)}: {t('field.state.sending')}
            </Text>
          )}
          {sending?.state === 'sent' && (
            <Text size="sm" fw={600} style={{ color: '#1b6b30' }}>
              ✓ {t(`field.actions.${sending.kind}`)}:{' '}
              {t('field.state.sent', { time: when(sending.at?.toISOString() ?? null) })}
            </Text>
          )}
          {sending?.state === 'failed' && (
            <Alert color="red" variant="light" p="sm">
              <Stack gap="xs" align="flex-start">
                <Text size="sm" fw={600}>
                  {t(`field.actions.${sending.kind}`)}: {t('field.state.failed')}
                </Text>
                <Text size="sm">{sending.error?.message || t('field.timeout')}</Text>
                {(sending.error?.status ?? 0) === 0 || (sending.error?.status ?? 0) >= 500 ? (
                  <Button
                    size="md"
                    onClick={() => send(sending.kind, sending.note)}
                    data-testid="field-retry"
                  >
                    {t('field.state.retry')}
                  </Button>
                ) : null}
              </Stack>
            </Alert>
          )}
        </div>
      </Stack>
    </Paper>
  );
}
