import {
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../web/api';
import { ConfirmDialog } from '../../../web/components/confirm-dialog';
import { ErrorAlert } from '../../../web/components/error-alert';
import { FormToggle } from '../../../web/components/form-toggle';
import { useDateFormat } from '../../../web/components/format';
import { useMoney } from '../../../web/components/money';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import { useCaseMutation } from './case-shared';
import {
  CURRENCY_LIST,
  casePath,
  LEG_KIND_LIST,
  type Leg,
  parseMinor,
  type RescueCase,
  rescueKeys,
} from './rescues-api';
import { LegStatusBadge, localToIso, useRescuesT } from './ui';

const placeOk = (v: string) => {
  const s = v.trim();
  return s.length >= 2 && s.length <= 80 && !/\d{1,3}\.\d{3,}/.test(s) && !/[°′″]/.test(s);
};

/** The route: each leg with its status, partner, window and check-in clock. */
export function CaseLegs({
  rescue,
  canWrite,
  canMarkCompromised,
}: {
  rescue: RescueCase;
  canWrite: boolean;
  canMarkCompromised: boolean;
}) {
  const { t } = useRescuesT();
  const [assigning, setAssigning] = useState<Leg | null>(null);
  const [compromising, setCompromising] = useState<Leg | null>(null);
  const { code } = rescue;
  const queryClient = useQueryClient();

  return (
    <Section title={t('case.legs')} testId="case-legs">
      <Stack gap="sm">
        {rescue.legs.length === 0 ? (
          <Text size="sm">{t('case.legsNone')}</Text>
        ) : (
          <Stack
            gap="xs"
            component="ol"
            p={0}
            m={0}
            style={{ listStyle: 'none' }}
            aria-label={t('case.legsCaption')}
          >
            {rescue.legs.map((leg) => (
              <LegCard
                key={leg.id}
                leg={leg}
                canWrite={canWrite}
                canMarkCompromised={canMarkCompromised}
                onAssign={() => setAssigning(leg)}
                onCompromised={() => setCompromising(leg)}
              />
            ))}
          </Stack>
        )}
        {canWrite && (
          <FormToggle label={t('case.addLeg')} testId="leg-add-toggle">
            {(close) => <AddLegForm rescue={rescue} onDone={close} />}
          </FormToggle>
        )}
      </Stack>
      <AssignPartner code={code} leg={assigning} onClose={() => setAssigning(null)} />
      <ConfirmDialog
        opened={compromising !== null}
        title={t('case.compromisedTitle', { n: compromising?.position ?? '' })}
        body={t('case.compromisedBody')}
        confirmLabel={t('case.markCompromised')}
        testId="leg-compromised"
        onClose={() => setCompromising(null)}
        onConfirm={async () => {
          if (!compromising) return;
          const res = await api.post<{ flaggedCases?: number; flagged?: number }>(
            `${casePath(code)}/legs/${encodeURIComponent(compromising.id)}/compromised`,
          );
          toast(t('case.compromisedDone', { count: res?.flaggedCases ?? res?.flagged ?? 0 }), 'red');
          await queryClient.invalidateQueries({ queryKey: rescueKeys.all });
        }}
      />
    </Section>
  );
}

function LegCard({
  leg,
  canWrite,
  canMarkCompromised,
  onAssign,
  onCompromised,
}: {
  leg: Leg;
  canWrite: boolean;
  canMarkCompromised: boolean;
  onAssign: () => void;
  onCompromised: () => void;
}) {
  const { t } = useRescuesT();
  const money = useMoney();
  const date = useDateFormat();
  const open = leg.status !== 'completed' && leg.status !== 'compromised';
  return (
    <Paper
      component="li"
      withBorder
      radius="sm"
      p="sm"
      data-testid="leg-row"
      data-leg={leg.position}
      data-status={leg.status}
    >
      <Stack gap={4}>
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            <Text fw={700} size="sm">
              {t('case.leg')} {leg.position} · {t(`legKind.${leg.kind}`)}
            </Text>
            <LegStatusBadge status={leg.status} />
            {leg.overdue && (
              <Badge variant="filled" color="red.9" size="sm" data-testid="leg-overdue">
                {t('case.overdue')}
              </Badge>
            )}
          </Group>
          <Text size="sm" c="gray.8">
            {money(leg.budgetMinor, leg.currency)}
          </Text>
        </Group>
        <Text size="sm">
          {leg.fromPlace} → {leg.toPlace}
        </Text>
        <Text size="xs" c="dimmed">
          {t('case.window')}: {date(leg.plannedStart)} – {date(leg.plannedEnd)}
          {leg.checkInDueAt ? ` · ${t('case.checkInDue', { date: date(leg.checkInDueAt) })}` : ''}
        </Text>
        <Text size="xs" c="dimmed">
          {t('case.partner')}:{' '}
          {leg.fieldPartnerId ? (
            <Code fz="xs" data-testid="leg-partner">
              {leg.fieldPartnerId.slice(0, 8)}
            </Code>
          ) : (
            t('case.noPartner')
          )}
        </Text>
        {open && (canWrite || canMarkCompromised) && (
          <Group gap="xs" mt={4} wrap="wrap">
            {canWrite && (
              <Button
                size="xs"
                variant="default"
                onClick={onAssign}
                aria-label={t('case.editLeg', { n: leg.position })}
                data-testid="leg-assign"
              >
                {t('case.assign')}
              </Button>
            )}
            {canMarkCompromised && (
              <Button
                size="xs"
                variant="outline"
                color="red.8"
                onClick={onCompromised}
                aria-label={t('case.markCompromisedLeg', { n: leg.position })}
                data-testid="leg-mark-compromised"
              >
                {t('case.markCompromised')}
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

function AssignPartner({ code, leg, onClose }: { code: string; leg: Leg | null; onClose: () => void }) {
  const { t } = useRescuesT();
  const form = useForm({
    initialValues: { fieldPartnerId: '' },
    validate: { fieldPartnerId: (v) => (v.trim() ? null : t('validation.required')) },
  });
  const assign = useCaseMutation(
    code,
    (v: { fieldPartnerId: string }) =>
      api.patch(`${casePath(code)}/legs/${encodeURIComponent(leg?.id ?? '')}`, {
        fieldPartnerId: v.fieldPartnerId.trim(),
      }),
    () => {
      toast(t('case.assigned'));
      form.reset();
      onClose();
    },
  );
  const close = () => {
    assign.reset();
    form.reset();
    onClose();
  };
  return (
    <Modal
      opened={leg !== null}
      onClose={close}
      title={t('case.editLeg', { n: leg?.position ?? '' })}
      closeButtonProps={{ 'aria-label': t('common.cancel') }}
    >
      <form onSubmit={form.onSubmit((v) => assign.mutate(v))} noValidate>
        <Stack gap="sm">
          {assign.isError && <ErrorAlert error={assign.error} />}
          <TextInput
            label={t('case.partnerId')}
            description={t('case.partnerIdHelp')}
            required
            autoComplete="off"
            data-autofocus
            data-testid="leg-partner-id"
            {...form.getInputProps('fieldPartnerId')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={assign.isPending} data-testid="leg-assign-submit">
              {t('case.assign')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function AddLegForm({ rescue, onDone }: { rescue: RescueCase; onDone: () => void }) {
  const { t } = useRescuesT();
  const last = rescue.legs.at(-1);
  const form = useForm({
    initialValues: {
      kind: 'transit',
      fromPlace: last?.toPlace ?? '',
      toPlace: '',
      plannedStart: '',
      plannedEnd: '',
      budget: '',
      currency: last?.currency ?? rescue.costs.budgetCurrency,
      fieldPartnerId: '',
    },
    validate: {
      fromPlace: (v) => (placeOk(v) ? null : t('validation.place')),
      toPlace: (v) => (placeOk(v) ? null : t('validation.place')),
      plannedEnd: (v, values) =>
        v && values.plannedStart && new Date(v) < new Date(values.plannedStart)
          ? t('validation.windowOrder')
          : null,
      budget: (v, values) => (v && parseMinor(v, values.currency) === null ? t('validation.required') : null),
    },
  });
  const add = useCaseMutation(
    rescue.code,
    (v: typeof form.values) =>
      api.post<{ position: number }>(`${casePath(rescue.code)}/legs`, {
        kind: v.kind,
        fromPlace: v.fromPlace.trim(),
        toPlace: v.toPlace.trim(),
        ...(v.plannedStart ? { plannedStart: localToIso(v.plannedStart) } : {}),
        ...(v.plannedEnd ? { plannedEnd: localToIso(v.plannedEnd) } : {}),
        ...(v.budget ? { budgetMinor: parseMinor(v.budget, v.currency) ?? 0 } : {}),
        currency: v.currency,
        ...(v.fieldPartnerId.trim() ? { fieldPartnerId: v.fieldPartnerId.trim() } : {}),
      }),
    (res) => {
      toast(t('case.legAdded', { n: res.position }));
      onDone();
    },
  );
  return (
    <form onSubmit={form.onSubmit((v) => add.mutate(v))} noValidate data-testid="leg-add-form">
      <Stack gap="sm" mt="sm">
        {add.isError && <ErrorAlert error={add.error} />}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NativeSelect
            label={t('case.legKind')}
            data={LEG_KIND_LIST.map((k) => ({ value: k, label: t(`legKind.${k}`) }))}
            {...form.getInputProps('kind')}
          />
          <TextInput
            label={t('case.fromPlace')}
            required
            data-testid="leg-from"
            {...form.getInputProps('fromPlace')}
          />
          <TextInput
            label={t('case.toPlace')}
            required
            data-testid="leg-to"
            {...form.getInputProps('toPlace')}
          />
          <TextInput
            type="datetime-local"
            label={t('case.plannedStart')}
            {...form.getInputProps('plannedStart')}
          />
          <TextInput
            type="datetime-local"
            label={t('case.plannedEnd')}
            {...form.getInputProps('plannedEnd')}
          />
          <Group gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              label={t('case.legBudget')}
              inputMode="decimal"
              style={{ flex: 1 }}
              {...form.getInputProps('budget')}
            />
            <NativeSelect
              label={t('case.currency')}
              data={[...CURRENCY_LIST]}
              w={90}
              {...form.getInputProps('currency')}
            />
          </Group>
          <TextInput
            label={t('case.partnerId')}
            description={t('case.partnerIdHelp')}
            autoComplete="off"
            {...form.getInputProps('fieldPartnerId')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" loading={add.isPending} data-testid="leg-add-submit">
            {t('case.addLeg')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
