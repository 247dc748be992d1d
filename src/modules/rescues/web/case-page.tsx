import {
  Alert,
  Anchor,
  Button,
  Code,
  Group,
  List,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, isApiError } from '../../../web/api';
import { ConfirmDialog } from '../../../web/components/confirm-dialog';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { PageLoader } from '../../../web/components/page-loader';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import { CaseCosts } from './case-costs';
import { CaseIdentities } from './case-identities';
import { CaseIncidents } from './case-incidents';
import { CaseLegs } from './case-legs';
import { useCaseMutation } from './case-shared';
import {
  ACTIONS,
  casePath,
  DESTINATION_LIST,
  type RescueCase,
  rescueKeys,
  type Traveller,
} from './rescues-api';
import { StatusBadge, useRescuesT } from './ui';

export function useCase(code: string) {
  return useQuery({
    queryKey: rescueKeys.case(code),
    queryFn: () => api.get<RescueCase>(casePath(code)),
  });
}

/** One case by its code: everything but identities, which open in their own panel after step-up. */
export function CasePage({ code }: { code: string }) {
  const { t } = useRescuesT();
  const date = useDateFormat();
  const rescue = useCase(code);

  if (rescue.isPending) return <PageLoader />;
  if (rescue.isError) {
    return (
      <Stack gap="md" maw={1100}>
        <Anchor component={Link} to="/console/rescues?view=cases">
          ← {t('case.back')}
        </Anchor>
        {isApiError(rescue.error, 404) ? (
          <Alert color="yellow" variant="light" role="alert" title={code}>
            {t('case.notFound')}
          </Alert>
        ) : (
          <ErrorAlert error={rescue.error} />
        )}
      </Stack>
    );
  }
  const c = rescue.data;
  const can = (action: string) => c.allowedActions.includes(action);

  return (
    <Stack gap="lg" maw={1100} data-testid="case-page" data-code={c.code}>
      <Stack gap={6}>
        <Anchor component={Link} to="/console/rescues?view=cases" size="sm">
          ← {t('case.back')}
        </Anchor>
        <Group gap="sm" align="center" wrap="wrap">
          <Title order={1} size="h2" ff="monospace" data-testid="case-code">
            {c.code}
          </Title>
          <StatusBadge status={c.status} size="lg" />
        </Group>
        <Text size="sm" c="dimmed">
          {t('case.opened', { date: date(c.openedAt) })} ·{' '}
          {t('case.destination', {
            destination: c.destination ? t(`destination.${c.destination}`) : t('destination.none'),
          })}
        </Text>
        {c.flagged && (
          <Alert
            color="red"
            variant="light"
            role="alert"
            title={t('case.flagged')}
            data-testid="case-flagged"
          >
            {t('case.flagReason', {
              reason: c.flagReason ? t(`flagReason.${c.flagReason}`, { defaultValue: c.flagReason }) : '',
            })}
          </Alert>
        )}
      </Stack>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <StatusPanel rescue={c} canWrite={can(ACTIONS.write)} />
        <TimelinePanel rescue={c} />
      </SimpleGrid>

      <TravellersPanel rescue={c} />
      {can(ACTIONS.readS4) && <CaseIdentities rescue={c} canWrite={can(ACTIONS.write)} />}
      <CaseLegs rescue={c} canWrite={can(ACTIONS.write)} canMarkCompromised={can(ACTIONS.markCompromised)} />
      <CaseIncidents rescue={c} canWrite={can(ACTIONS.write)} />
      <CaseCosts rescue={c} canWrite={can(ACTIONS.write)} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <RetentionPanel rescue={c} canExtend={can(ACTIONS.extendRetention)} />
        {(c.status === 'arrived' || c.status === 'handed_over') && (
          <HandoverPanel rescue={c} canHandOver={can(ACTIONS.handover)} />
        )}
      </SimpleGrid>
    </Stack>
  );
}

function StatusPanel({ rescue, canWrite }: { rescue: RescueCase; canWrite: boolean }) {
  const { t } = useRescuesT();
  const form = useForm({
    initialValues: { to: '', note: '', destination: rescue.destination ?? '' },
    validate: {
      to: (v) => (v ? null : t('validation.required')),
      destination: (v, values) => (values.to === 'arrived' && !v ? t('validation.required') : null),
    },
  });
  const move = useCaseMutation(
    rescue.code,
    (v: typeof form.values) =>
      api.post(`${casePath(rescue.code)}/status`, {
        to: v.to,
        ...(v.note.trim() ? { note: v.note.trim() } : {}),
        ...(v.to === 'arrived' && v.destination ? { destination: v.destination } : {}),
      }),
    () => {
      toast(t('case.moved', { status: t(`status.${form.values.to}`) }));
      form.reset();
    },
  );
  return (
    <Section title={t('case.status')} testId="case-status-panel">
      <Stack gap="sm">
        <Group gap="xs">
          <StatusBadge status={rescue.status} size="lg" />
        </Group>
        {!canWrite ? null : rescue.nextStatuses.length === 0 ? (
          <Text size="sm">{t('case.noNext')}</Text>
        ) : (
          <form onSubmit={form.onSubmit((v) => move.mutate(v))} noValidate>
            <Stack gap="sm">
              {move.isError && <ErrorAlert error={move.error} />}
              <NativeSelect
                label={t('case.changeStatus')}
                data={[
                  { value: '', label: t('case.chooseStatus') },
                  ...rescue.nextStatuses.map((s) => ({ value: s, label: t(`status.${s}`) })),
                ]}
                data-testid="status-to"
                {...form.getInputProps('to')}
              />
              {form.values.to === 'arrived' && (
                <NativeSelect
                  label={t('case.arrivedDestination')}
                  required
                  data={[
                    { value: '', label: '—' },
                    ...DESTINATION_LIST.map((d) => ({ value: d, label: t(`destination.${d}`) })),
                  ]}
                  data-testid="status-destination"
                  {...form.getInputProps('destination')}
                />
              )}
              <Textarea
                label={t('case.statusNote')}
                autosize
                minRows={1}
                maxLength={2000}
                {...form.getInputProps('note')}
              />
              <Group justify="flex-end">
                <Button type="submit" loading={move.isPending} data-testid="status-submit">
                  {t('case.move')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Section>
  );
}

function TimelinePanel({ rescue }: { rescue: RescueCase }) {
  const { t } = useRescuesT();
  const date = useDateFormat();
  return (
    <Section title={t('case.timeline')} testId="case-timeline">
      <Timeline bulletSize={14} lineWidth={2} active={rescue.timeline.length - 1}>
        {rescue.timeline.map((e, i) => (
          <Timeline.Item
            // biome-ignore lint/suspicious/noArrayIndexKey: events are append-only
            key={i}
            title={
              e.kind === 'status_changed' && e.fromStatus && e.toStatus
                ? t('case.timelineFromTo', {
                    from: t(`status.${e.fromStatus}`),
                    to: t(`status.${e.toStatus}`),
                  })
                : t(`timelineKind.${e.kind}`, { defaultValue: e.kind })
            }
          >
            <Text size="xs" c="dimmed">
              {date(e.at)}
              {e.hasNote ? ` · ${t('case.withNote')}` : ''}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Section>
  );
}

function answer(t: (k: string) => string, v: string | undefined) {
  return v ? t(`answer.${v}`) : t('case.notShown');
}

function TravellersPanel({ rescue }: { rescue: RescueCase }) {
  const { t } = useRescuesT();
  const showIntake = rescue.travellers.some((tr) => tr.healthNeeds !== undefined);
  return (
    <Section title={t('case.travellers')} testId="case-travellers">
      <Stack gap="sm">
        {rescue.travellers.map((tr) => (
          <TravellerSummary key={tr.position} traveller={tr} showIntake={showIntake} />
        ))}
      </Stack>
      {!showIntake && (
        <Text size="xs" c="dimmed" mt="sm">
          {t('case.notShown')}
        </Text>
      )}
    </Section>
  );
}

function TravellerSummary({ traveller: tr, showIntake }: { traveller: Traveller; showIntake: boolean }) {
  const { t } = useRescuesT();
  const facts = [
    t(`category.${tr.category}`),
    t(`sex.${tr.sex}`),
    t(`ageBand.${tr.ageBand}`),
    ...(tr.birthYear ? [String(tr.birthYear)] : []),
  ];
  return (
    <Paper withBorder radius="sm" p="sm" data-testid="traveller-row">
      <Group gap="xs" wrap="wrap" justify="space-between">
        <Text fw={600} size="sm">
          {t('open.traveller', { n: tr.position })}: {facts.join(' · ')}
        </Text>
        <Text size="xs" c="dimmed">
          {[tr.hasIdentity ? t('case.identityOnFile') : null, tr.hasPhoto ? t('case.photoOnFile') : null]
            .filter(Boolean)
            .join(' · ')}
        </Text>
      </Group>
      {showIntake && (
        <List size="xs" mt={6} spacing={2} c="gray.8">
          <List.Item>
            {t('open.travellingWithFamily')} {answer(t, tr.travellingWithFamily)}
          </List.Item>
          <List.Item>
            {t('open.reunifyingWithFamily')} {answer(t, tr.reunifyingWithFamily)}
            {tr.reunifyWithCaseCode ? ` (${tr.reunifyWithCaseCode})` : ''}
          </List.Item>
          <List.Item>
            {t('open.traffickedInChina')} {answer(t, tr.traffickedInChina)}
          </List.Item>
          <List.Item>
            {t('open.healthNeeds')} {answer(t, tr.healthNeeds)}
          </List.Item>
          <List.Item>
            {tr.yearsInChina === 'declined'
              ? t('case.yearsDeclined')
              : t('case.yearsInChina', { years: tr.yearsInChina ?? '—' })}
          </List.Item>
        </List>
      )}
    </Paper>
  );
}

function RetentionPanel({ rescue, canExtend }: { rescue: RescueCase; canExtend: boolean }) {
  const { t } = useRescuesT();
  const date = useDateFormat();
  const r = rescue.retention;
  const form = useForm({
    initialValues: { days: '30', reason: '' },
    validate: {
      days: (v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 365 ? null : t('validation.days')),
      reason: (v) => (v.trim().length >= 5 ? null : t('validation.reason')),
    },
  });
  const extend = useCaseMutation(
    rescue.code,
    (v: typeof form.values) =>
      api.post<{ shredDueAt: string }>(`${casePath(rescue.code)}/retention`, {
        days: Number(v.days),
        reason: v.reason.trim(),
      }),
    (res) => {
      toast(t('case.extended', { date: date(res.shredDueAt) }));
      form.reset();
    },
  );
  return (
    <Section title={t('case.retention')} testId="case-retention">
      <Stack gap="sm">
        <Text size="sm" data-testid="retention-text">
          {r.shreddedAt
            ? t('case.retentionShredded', { date: date(r.shreddedAt) })
            : r.shredDueAt
              ? t('case.retentionDue', { date: date(r.shredDueAt), count: r.daysLeft ?? 0 })
              : t('case.retentionNotStarted', { days: r.days })}
        </Text>
        {canExtend && r.shredDueAt && !r.shreddedAt && (
          <form onSubmit={form.onSubmit((v) => extend.mutate(v))} noValidate>
            <Stack gap="sm">
              {extend.isError && <ErrorAlert error={extend.error} />}
              <Group align="flex-start" gap="sm" wrap="wrap">
                <TextInput
                  label={t('case.extendDays')}
                  inputMode="numeric"
                  w={100}
                  required
                  data-testid="retention-days"
                  {...form.getInputProps('days')}
                />
                <TextInput
                  label={t('case.extendReason')}
                  required
                  style={{ flex: '1 1 200px' }}
                  data-testid="retention-reason"
                  {...form.getInputProps('reason')}
                />
              </Group>
              <Group justify="flex-end">
                <Button
                  type="submit"
                  variant="default"
                  loading={extend.isPending}
                  data-testid="retention-submit"
                >
                  {t('case.extend')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Section>
  );
}

function HandoverPanel({ rescue, canHandOver }: { rescue: RescueCase; canHandOver: boolean }) {
  const { t } = useRescuesT();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [clientCodes, setClientCodes] = useState<string[] | null>(null);
  return (
    <Section title={t('case.handover')} testId="case-handover">
      <Stack gap="sm">
        <Text size="sm">{t('case.handoverIntro')}</Text>
        {clientCodes ? (
          <Alert color="passage" variant="light" role="status" title={t('case.handoverDone')}>
            <List data-testid="client-codes" spacing={2}>
              {clientCodes.map((cc) => (
                <List.Item key={cc}>
                  <Code fz="sm" data-testid="client-code">
                    {cc}
                  </Code>
                </List.Item>
              ))}
            </List>
          </Alert>
        ) : rescue.status === 'arrived' && canHandOver ? (
          <Group>
            <Button onClick={() => setConfirming(true)} data-testid="handover-open">
              {t('case.handoverButton')}
            </Button>
          </Group>
        ) : null}
      </Stack>
      <ConfirmDialog
        opened={confirming}
        title={t('case.handoverTitle', { code: rescue.code })}
        body={t('case.handoverBody')}
        confirmLabel={t('case.handoverButton')}
        color="passage"
        testId="handover"
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          const res = await api.post<{ clientCodes: string[] }>(`${casePath(rescue.code)}/handover`);
          setClientCodes(res.clientCodes);
          await queryClient.invalidateQueries({ queryKey: rescueKeys.all });
        }}
      />
    </Section>
  );
}
