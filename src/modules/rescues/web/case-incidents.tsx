import { Badge, Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { FormToggle } from '../../../web/components/form-toggle';
import { useDateFormat } from '../../../web/components/format';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import { useCaseMutation } from './case-shared';
import {
  casePath,
  INCIDENT_KIND_LIST,
  type Incident,
  type IncidentStatus,
  type RescueCase,
  SEVERITY_LIST,
} from './rescues-api';
import { useRescuesT } from './ui';

const SEVERITY_COLOR = { low: 'gray', high: 'orange', critical: 'red' } as const;

/** Incidents: open one, follow it up with notes (encrypted), move it to following up or resolved. */
export function CaseIncidents({ rescue, canWrite }: { rescue: RescueCase; canWrite: boolean }) {
  const { t } = useRescuesT();
  return (
    <Section title={t('case.incidents')} testId="case-incidents">
      <Stack gap="sm">
        {rescue.incidents.length === 0 ? (
          <Text size="sm">{t('case.incidentsNone')}</Text>
        ) : (
          rescue.incidents.map((i) => (
            <IncidentCard key={i.id} rescue={rescue} incident={i} canWrite={canWrite} />
          ))
        )}
        {canWrite && (
          <FormToggle label={t('case.openIncident')} testId="incident-add-toggle">
            {(close) => <OpenIncidentForm rescue={rescue} onDone={close} />}
          </FormToggle>
        )}
      </Stack>
    </Section>
  );
}

function IncidentCard({
  rescue,
  incident: i,
  canWrite,
}: {
  rescue: RescueCase;
  incident: Incident;
  canWrite: boolean;
}) {
  const { t } = useRescuesT();
  const date = useDateFormat();
  const [note, setNote] = useState('');
  const leg = rescue.legs.find((l) => l.id === i.legId);
  const follow = useCaseMutation(
    rescue.code,
    (v: { note?: string; status?: IncidentStatus }) =>
      api.post(`${casePath(rescue.code)}/incidents/${encodeURIComponent(i.id)}/follow-ups`, v),
    () => {
      setNote('');
      toast(t('case.incidentUpdated'));
    },
  );
  return (
    <Paper withBorder radius="sm" p="sm" data-testid="incident-row" data-status={i.status}>
      <Stack gap={6}>
        <Group gap="xs" wrap="wrap">
          <Text fw={700} size="sm">
            {t(`incidentKind.${i.kind}`)}
          </Text>
          <Badge variant="dot" c="gray.9" color={SEVERITY_COLOR[i.severity]}>
            {t(`severity.${i.severity}`)}
          </Badge>
          <Badge
            variant="dot"
            c="gray.9"
            color={i.status === 'resolved' ? 'green' : 'orange'}
            data-testid="incident-status"
          >
            {t(`incidentStatus.${i.status}`)}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          {date(i.openedAt)}
          {leg ? ` · ${t('case.checkInLeg', { n: leg.position })}` : ''}
          {i.resolvedAt ? ` · ${t('incidentStatus.resolved')} ${date(i.resolvedAt)}` : ''}
        </Text>
        {canWrite && (
          <Stack gap="xs">
            {follow.isError && <ErrorAlert error={follow.error} />}
            <Textarea
              label={t('case.followUpNote')}
              autosize
              minRows={1}
              maxLength={4000}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              data-testid="incident-note"
            />
            <Group gap="xs" wrap="wrap">
              <Button
                size="xs"
                variant="default"
                disabled={!note.trim()}
                loading={follow.isPending && follow.variables?.note !== undefined && !follow.variables.status}
                onClick={() => follow.mutate({ note: note.trim() })}
                data-testid="incident-note-save"
              >
                {t('case.followUpSave')}
              </Button>
              {i.status === 'open' && (
                <Button
                  size="xs"
                  variant="default"
                  onClick={() =>
                    follow.mutate({ status: 'following_up', ...(note.trim() ? { note: note.trim() } : {}) })
                  }
                >
                  {t('case.markFollowingUp')}
                </Button>
              )}
              {i.status !== 'resolved' ? (
                <Button
                  size="xs"
                  color="teal.9"
                  onClick={() =>
                    follow.mutate({ status: 'resolved', ...(note.trim() ? { note: note.trim() } : {}) })
                  }
                  data-testid="incident-resolve"
                >
                  {t('case.resolve')}
                </Button>
              ) : (
                <Button size="xs" variant="default" onClick={() => follow.mutate({ status: 'open' })}>
                  {t('case.reopen')}
                </Button>
              )}
            </Group>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

function OpenIncidentForm({ rescue, onDone }: { rescue: RescueCase; onDone: () => void }) {
  const { t } = useRescuesT();
  const form = useForm({
    initialValues: { kind: '', severity: '', legId: '', description: '' },
    validate: {
      kind: (v) => (v ? null : t('validation.required')),
      severity: (v) => (v ? null : t('validation.required')),
    },
  });
  const open = useCaseMutation(
    rescue.code,
    (v: typeof form.values) =>
      api.post(`${casePath(rescue.code)}/incidents`, {
        kind: v.kind,
        severity: v.severity,
        legId: v.legId || null,
        ...(v.description.trim() ? { description: v.description.trim() } : {}),
      }),
    () => {
      toast(t('case.incidentOpened'));
      form.reset();
      onDone();
    },
  );
  return (
    <form onSubmit={form.onSubmit((v) => open.mutate(v))} noValidate data-testid="incident-form">
      <Stack gap="sm" mt="sm">
        {open.isError && <ErrorAlert error={open.error} />}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NativeSelect
            label={t('case.incidentKind')}
            required
            data={[
              { value: '', label: '—' },
              ...INCIDENT_KIND_LIST.map((k) => ({ value: k, label: t(`incidentKind.${k}`) })),
            ]}
            data-testid="incident-kind"
            {...form.getInputProps('kind')}
          />
          <NativeSelect
            label={t('case.severity')}
            required
            data={[
              { value: '', label: '—' },
              ...SEVERITY_LIST.map((s) => ({ value: s, label: t(`severity.${s}`) })),
            ]}
            data-testid="incident-severity"
            {...form.getInputProps('severity')}
          />
          <NativeSelect
            label={t('case.incidentLeg')}
            data={[
              { value: '', label: t('case.noLeg') },
              ...rescue.legs.map((l) => ({
                value: l.id,
                label: `${t('case.leg')} ${l.position}: ${l.fromPlace} → ${l.toPlace}`,
              })),
            ]}
            {...form.getInputProps('legId')}
          />
        </SimpleGrid>
        <Textarea
          label={t('case.description')}
          autosize
          minRows={2}
          maxLength={4000}
          data-testid="incident-description"
          {...form.getInputProps('description')}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={open.isPending} data-testid="incident-submit">
            {t('case.openIncident')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
