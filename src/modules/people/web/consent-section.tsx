import {
  Badge,
  Button,
  Collapse,
  Group,
  Modal,
  NativeSelect,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, fieldErrors } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { useDateFormat } from '../../../web/components/format';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import {
  CONSENT_CHANNEL_LIST,
  type ConsentChannel,
  type ConsentNow,
  STAFF_CONSENT_METHODS,
  type SupporterDetail,
  supporterKeys,
  supporterPath,
} from './supporters-api';
import { useCanWrite, useSupportersT } from './ui';

const STATUS_COLOR: Record<ConsentNow['status'], string> = {
  granted: 'green',
  withdrawn: 'red',
  unknown: 'gray',
};

/**
 * Communication preferences: per channel, the current consent and how and when the person gave or withdrew
 * it; every statement underneath (none is ever changed: a withdrawal is a new one).
 */
export function ConsentSection({ supporter }: { supporter: SupporterDetail }) {
  const { t } = useSupportersT();
  const date = useDateFormat();
  const canWrite = useCanWrite();
  const [recording, setRecording] = useState<ConsentChannel | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const historyId = useId();

  return (
    <Section title={t('consent.title')} testId="supporter-consent" headingId="supporter-consent-heading">
      <Stack gap="sm">
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('consent.channel')}</Table.Th>
                <Table.Th>{t('consent.status')}</Table.Th>
                <Table.Th>{t('consent.how')}</Table.Th>
                {canWrite && (
                  <Table.Th>
                    <VisuallyHidden>{t('consent.actions')}</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {CONSENT_CHANNEL_LIST.map((channel) => {
                const now = supporter.consent[channel];
                return (
                  <Table.Tr key={channel} data-testid={`consent-${channel}`}>
                    <Table.Td>{t(`channel.${channel}`)}</Table.Td>
                    <Table.Td>
                      <Badge
                        variant="dot"
                        c="gray.9"
                        color={STATUS_COLOR[now.status]}
                        data-testid="consent-status"
                      >
                        {t(`consent.state.${now.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {now.method ? (
                        <Text size="sm">
                          {t(`method.${now.method}`, { defaultValue: now.method })}
                          <br />
                          <Text span size="xs" c="dimmed">
                            {date(now.statedAt)}
                          </Text>
                        </Text>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    {canWrite && (
                      <Table.Td>
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() => setRecording(channel)}
                          aria-label={t('consent.recordFor', { channel: t(`channel.${channel}`) })}
                          data-testid={`consent-record-${channel}`}
                        >
                          {t('consent.record')}
                        </Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {supporter.consentHistory.length > 0 && (
          <div>
            <Button
              variant="subtle"
              size="compact-sm"
              onClick={() => setShowHistory((v) => !v)}
              aria-expanded={showHistory}
              aria-controls={historyId}
              data-testid="consent-history-toggle"
            >
              {showHistory
                ? t('consent.hideHistory')
                : t('consent.showHistory', { count: supporter.consentHistory.length })}
            </Button>
            <Collapse expanded={showHistory} id={historyId}>
              <Stack
                gap={4}
                mt="xs"
                component="ol"
                style={{ paddingLeft: 18, margin: 0 }}
                data-testid="consent-history"
              >
                {supporter.consentHistory.map((c) => (
                  <Text component="li" size="sm" key={c.id}>
                    {t(c.granted ? 'consent.historyGranted' : 'consent.historyWithdrawn', {
                      channel: t(`channel.${c.channel}`),
                      method: t(`method.${c.method}`, { defaultValue: c.method }),
                      said: date(c.statedAt),
                      recorded: date(c.recordedAt),
                    })}
                  </Text>
                ))}
              </Stack>
            </Collapse>
          </div>
        )}
      </Stack>
      {recording && (
        <RecordConsentDialog
          supporterId={supporter.id}
          channel={recording}
          onClose={() => setRecording(null)}
        />
      )}
    </Section>
  );
}

function RecordConsentDialog({
  supporterId,
  channel,
  onClose,
}: {
  supporterId: string;
  channel: ConsentChannel;
  onClose: () => void;
}) {
  const { t } = useSupportersT();
  const { t: shell } = useTranslation();
  const queryClient = useQueryClient();
  const [granted, setGranted] = useState<'yes' | 'no'>('yes');
  const [method, setMethod] = useState<string>('paper_form');
  const [day, setDay] = useState(new Date().toISOString().slice(0, 10));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error, ['granted', 'method', 'statedAt']);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // A day without a time: noon UTC keeps it on the same date in every time zone people read it in.
      const statedAt = day === new Date().toISOString().slice(0, 10) ? undefined : `${day}T12:00:00.000Z`;
      await api.post(`${supporterPath(supporterId)}/consents`, {
        channel,
        granted: granted === 'yes',
        method,
        ...(statedAt ? { statedAt } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: supporterKeys.all });
      toast(t('consent.recorded'));
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={t('consent.dialogTitle', { channel: t(`channel.${channel}`) })}
      closeButtonProps={{ 'aria-label': shell('shell.close') }}
    >
      <form onSubmit={submit} noValidate data-testid="consent-form">
        <Stack gap="md">
          {error && Object.keys(errors).length === 0 ? <ErrorAlert error={error} /> : null}
          <Radio.Group
            label={t('consent.said')}
            value={granted}
            onChange={(v) => setGranted(v as 'yes' | 'no')}
          >
            <Group gap="md" mt={4}>
              <Radio value="yes" label={t('consent.given')} data-testid="consent-given" />
              <Radio value="no" label={t('consent.withdrawn')} data-testid="consent-withdrawn" />
            </Group>
          </Radio.Group>
          <NativeSelect
            label={t('consent.how')}
            value={method}
            onChange={(e) => setMethod(e.currentTarget.value)}
            data={STAFF_CONSENT_METHODS.map((m) => ({ value: m, label: t(`method.${m}`) }))}
            error={errors.method}
            data-testid="consent-method"
          />
          <TextInput
            type="date"
            label={t('consent.when')}
            value={day}
            max={new Date().toISOString().slice(0, 10)}
            onChange={(e) => setDay(e.currentTarget.value)}
            error={errors.statedAt}
            data-testid="consent-date"
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy} data-testid="consent-submit">
              {t('consent.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
