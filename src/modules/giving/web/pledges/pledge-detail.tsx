import {
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  List,
  Modal,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api } from '../../../../web/api';
import { ConfirmDialog } from '../../../../web/components/confirm-dialog';
import { CsvDownload, csvHref } from '../../../../web/components/csv-download';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import { Section } from '../../../../web/components/section';
import { toast } from '../../../../web/components/toast';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import {
  dayOf,
  type Invoice,
  lastDayOf,
  PAYMENT_METHOD_LIST,
  type Pledge,
  type PledgeDetail,
  pledgeKeys,
} from './pledges-api';
import { InvoiceStatusBadge, RaisedBar, usePledgesT } from './ui';

const today = () => new Date().toISOString().slice(0, 10);
const dayIso = (day: string) => new Date(`${day}T00:00:00.000Z`).toISOString();

/** A pledge: what it counted and raised, the amount due, its readings (per unit) and its invoices. */
export function PledgeDetailView({ id }: { id: string }) {
  const { t } = usePledgesT();
  const detail = useQuery({
    queryKey: pledgeKeys.one(id),
    queryFn: () => api.get<PledgeDetail>(`/api/giving/pledges/${id}`),
  });
  useDocumentTitle(detail.data?.pledge.name ?? t('title'));
  if (detail.isError)
    return (
      <Stack maw={1100}>
        <Anchor component={Link} to="." size="sm">
          {t('back')}
        </Anchor>
        <ErrorAlert error={detail.error} />
      </Stack>
    );
  if (!detail.data) return <PageLoader />;
  const { pledge } = detail.data;
  return (
    <Stack gap="lg" maw={1100} data-testid="pledge-page">
      <Anchor component={Link} to="." size="sm">
        {t('back')}
      </Anchor>
      <Stack gap={4}>
        <Group gap="sm">
          <Title order={1} size="h2">
            {pledge.name}
          </Title>
          <Badge variant="dot" c="gray.9" color="passage">
            {t(`kind.${pledge.kind}`)}
          </Badge>
        </Group>
        <Text c="dimmed">
          {t('detail.byline', {
            sponsor: pledge.sponsor.name ?? '',
            to: pledge.campaign
              ? `${pledge.fund?.name ?? ''} · ${pledge.campaign.name}`
              : (pledge.fund?.name ?? ''),
          })}
        </Text>
      </Stack>
      <Amounts pledge={pledge} />
      {pledge.kind === 'per_unit' && <Readings detail={detail.data} />}
      <Invoices detail={detail.data} />
    </Stack>
  );
}

function Amounts({ pledge }: { pledge: Pledge }) {
  const { t } = usePledgesT();
  const money = useMoney();
  const c = pledge.counted;
  const window = pledge.endsAt
    ? t('detail.window', { from: dayOf(pledge.startsAt), to: lastDayOf(pledge.endsAt) })
    : t('detail.windowOpen', { from: dayOf(pledge.startsAt) });
  return (
    <Section title={t('detail.amounts')} testId="pledge-amounts">
      <Stack gap="sm">
        <Text size="sm">{window}</Text>
        <Text size="sm" data-testid="pledge-counted">
          {c.kind === 'per_unit'
            ? t('detail.countedPerUnit', {
                units: c.units.toLocaleString(),
                metric: c.metric,
                rate: money(c.rateMinor, pledge.currency),
                per: c.perUnits.toLocaleString(),
              })
            : t('detail.countedMatching', {
                eligible: money(c.eligibleMinor, pledge.currency),
                ratio: c.ratio,
              })}
        </Text>
        {c.kind === 'per_unit' && (
          <Text size="xs" c="gray.7">
            {t('detail.roundedDown')}
          </Text>
        )}
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
          <Figure
            label={t('detail.raised')}
            value={money(pledge.raisedMinor, pledge.currency)}
            testId="pledge-raised"
          />
          <Figure
            label={t('detail.cap')}
            value={pledge.capMinor ? money(pledge.capMinor, pledge.currency) : t('list.noCap')}
            testId="pledge-cap"
          />
          <Figure
            label={t('detail.invoiced')}
            value={money(pledge.invoicedMinor, pledge.currency)}
            testId="pledge-invoiced"
          />
          <Figure
            label={t('detail.due')}
            value={money(pledge.dueMinor, pledge.currency)}
            testId="pledge-due"
          />
        </SimpleGrid>
        <RaisedBar pledge={pledge} />
        {pledge.capReached && (
          <Text size="sm" fw={600} data-testid="pledge-cap-reached">
            {t('detail.capReached')}
          </Text>
        )}
      </Stack>
    </Section>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text fw={700} data-testid={testId}>
        {value}
      </Text>
    </Stack>
  );
}

function usePledgeMutation<T>(id: string, fn: (body: T) => Promise<unknown>, done: string) {
  const { t } = usePledgesT();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: pledgeKeys.all });
      await queryClient.invalidateQueries({ queryKey: pledgeKeys.one(id) });
      toast(t(done));
    },
  });
}

function Readings({ detail }: { detail: PledgeDetail }) {
  const { t } = usePledgesT();
  const canWrite = detail.pledge.allowedActions.includes('addReading');
  const id = detail.pledge.id;
  const [readOn, setReadOn] = useState(today());
  const [value, setValue] = useState<number | string>('');
  const [note, setNote] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const add = usePledgeMutation(
    id,
    (body: { readOn: string; value: number; note?: string }) =>
      api.post(`/api/giving/pledges/${id}/readings`, body),
    'readings.added',
  );
  const upload = usePledgeMutation(
    id,
    async (csv: string) => api.post(`/api/giving/pledges/${id}/readings/import`, { csv }),
    'readings.imported',
  );
  const problems = upload.error instanceof ApiError ? upload.error.issues : [];

  return (
    <Section title={t('readings.title')} testId="pledge-readings">
      <Stack gap="md">
        {canWrite && (
          <form
            aria-label={t('readings.add')}
            onSubmit={(e) => {
              e.preventDefault();
              add.mutate(
                {
                  readOn: dayIso(readOn),
                  value: Number(value),
                  ...(note.trim() ? { note: note.trim() } : {}),
                },
                {
                  onSuccess: () => {
                    setValue('');
                    setNote('');
                  },
                },
              );
            }}
          >
            <Stack gap="xs">
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput
                  type="date"
                  label={t('readings.date')}
                  required
                  value={readOn}
                  onChange={(e) => setReadOn(e.currentTarget.value)}
                  data-testid="reading-date"
                />
                <NumberInput
                  label={t('readings.value', { metric: detail.pledge.metric ?? '' })}
                  required
                  min={0}
                  allowDecimal={false}
                  thousandSeparator=","
                  value={value}
                  onChange={setValue}
                  data-testid="reading-value"
                />
                <TextInput
                  label={t('readings.note')}
                  value={note}
                  maxLength={200}
                  onChange={(e) => setNote(e.currentTarget.value)}
                  data-testid="reading-note"
                />
              </SimpleGrid>
              {add.isError && <ErrorAlert error={add.error} testId="reading-error" />}
              <Group>
                <Button
                  type="submit"
                  loading={add.isPending}
                  disabled={value === ''}
                  data-testid="reading-add"
                >
                  {t('readings.add')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        {canWrite && (
          <Stack gap="xs">
            <Group align="flex-end">
              <FileInput
                label={t('readings.csv')}
                description={t('readings.csvHelp')}
                accept=".csv,text/csv"
                value={file}
                onChange={setFile}
                clearable
                clearButtonProps={{ 'aria-label': t('readings.clearFile') }}
                data-testid="readings-file"
                style={{ flex: 1, minWidth: 220 }}
              />
              <Button
                variant="light"
                disabled={!file}
                loading={upload.isPending}
                onClick={async () => {
                  if (!file) return;
                  upload.mutate(await file.text(), { onSuccess: () => setFile(null) });
                }}
                data-testid="readings-import"
              >
                {t('readings.import')}
              </Button>
            </Group>
            {upload.isError && <ErrorAlert error={upload.error} testId="readings-import-error" />}
            {problems.length > 0 && (
              <List size="sm" data-testid="readings-problems">
                {problems.map((p) => (
                  <List.Item key={`${p.field}-${p.message}`}>
                    {p.field}: {p.message}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
        )}
        {detail.readings.length === 0 ? (
          <Text size="sm">{t('readings.none')}</Text>
        ) : (
          <ScrollTable minWidth={420} label={t('readings.title')}>
            <Table striped data-testid="readings-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('readings.date')}</Table.Th>
                  <Table.Th ta="right">{t('readings.count')}</Table.Th>
                  <Table.Th>{t('readings.source')}</Table.Th>
                  <Table.Th>{t('readings.note')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.readings.map((r) => (
                  <Table.Tr key={r.id} data-testid="reading-row">
                    <Table.Td>{r.readOn}</Table.Td>
                    <Table.Td ta="right">{r.value.toLocaleString()}</Table.Td>
                    <Table.Td>{t(`readings.sources.${r.source}`)}</Table.Td>
                    <Table.Td>{r.note}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Stack>
    </Section>
  );
}

function Invoices({ detail }: { detail: PledgeDetail }) {
  const { t } = usePledgesT();
  const money = useMoney();
  const canWrite = detail.pledge.allowedActions.includes('issueInvoice');
  const id = detail.pledge.id;
  const [periodEnd, setPeriodEnd] = useState('');
  const [paying, setPaying] = useState<Invoice | null>(null);
  const [voiding, setVoiding] = useState<Invoice | null>(null);
  const issue = usePledgeMutation(
    id,
    (body: { periodEnd?: string }) => api.post(`/api/giving/pledges/${id}/invoices`, body),
    'invoices.issued',
  );
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: pledgeKeys.all });

  return (
    <Section title={t('invoices.title')} testId="pledge-invoices">
      <Stack gap="md">
        {canWrite && (
          <form
            aria-label={t('invoices.issue')}
            onSubmit={(e) => {
              e.preventDefault();
              issue.mutate(periodEnd ? { periodEnd: dayIso(periodEnd) } : {});
            }}
          >
            <Stack gap="xs">
              <Text size="sm">
                {t('invoices.next', {
                  from: dayOf(detail.nextPeriodStart),
                  due: money(detail.pledge.dueMinor, detail.pledge.currency),
                })}
              </Text>
              <Group align="flex-end">
                <TextInput
                  type="date"
                  label={t('invoices.periodEnd')}
                  description={t('invoices.periodEndHelp')}
                  value={periodEnd}
                  onChange={(e) => setPeriodEnd(e.currentTarget.value)}
                  data-testid="invoice-period-end"
                />
                <Button type="submit" loading={issue.isPending} data-testid="invoice-issue">
                  {t('invoices.issue')}
                </Button>
              </Group>
              {issue.isError && <ErrorAlert error={issue.error} testId="invoice-error" />}
            </Stack>
          </form>
        )}
        <Group justify="flex-end">
          <CsvDownload
            href={csvHref(`/api/giving/pledges/${id}`)}
            label={t('downloadCsv')}
            testId="invoice-list-csv"
            stepUp
          />
        </Group>
        {detail.invoices.length === 0 ? (
          <Text size="sm">{t('invoices.none')}</Text>
        ) : (
          <ScrollTable minWidth={680} label={t('invoices.title')}>
            <Table striped data-testid="invoices-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('invoices.number')}</Table.Th>
                  <Table.Th>{t('invoices.period')}</Table.Th>
                  <Table.Th ta="right">{t('invoices.amount')}</Table.Th>
                  <Table.Th>{t('invoices.status')}</Table.Th>
                  <Table.Th>{t('invoices.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.invoices.map((inv) => (
                  <Table.Tr key={inv.id} data-testid="invoice-row">
                    <Table.Td data-testid="invoice-number">{inv.number}</Table.Td>
                    <Table.Td>
                      {dayOf(inv.periodStart)} – {lastDayOf(inv.periodEnd)}
                    </Table.Td>
                    <Table.Td ta="right">{money(inv.amountMinor, inv.currency)}</Table.Td>
                    <Table.Td>
                      <InvoiceStatusBadge status={inv.status} />
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Anchor
                          href={`/api/giving/pledge-invoices/${inv.id}/invoice.pdf`}
                          target="_blank"
                          rel="noopener"
                          size="sm"
                          aria-label={t('invoices.pdfOf', { number: inv.number })}
                          data-testid="invoice-pdf"
                        >
                          {t('invoices.pdf')}
                        </Anchor>
                        {inv.allowedActions.includes('markPaid') && (
                          <>
                            <Button
                              size="compact-sm"
                              onClick={() => setPaying(inv)}
                              data-testid="invoice-paid"
                            >
                              {t('invoices.markPaid')}
                            </Button>
                            {inv.allowedActions.includes('void') && (
                              <Button
                                size="compact-sm"
                                variant="default"
                                onClick={() => setVoiding(inv)}
                                data-testid="invoice-void"
                              >
                                {t('invoices.void')}
                              </Button>
                            )}
                          </>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Stack>
      <PaidDialog invoice={paying} onClose={() => setPaying(null)} onDone={refresh} />
      <ConfirmDialog
        opened={voiding !== null}
        title={t('invoices.voidTitle', { number: voiding?.number ?? '' })}
        body={t('invoices.voidBody')}
        confirmLabel={t('invoices.void')}
        onClose={() => setVoiding(null)}
        onConfirm={async () => {
          if (!voiding) return;
          await api.post(`/api/giving/pledge-invoices/${voiding.id}/void`, {});
          await refresh();
          toast(t('invoices.voided'));
          setVoiding(null);
        }}
        testId="invoice-void-confirm"
      />
    </Section>
  );
}

/** The sponsor paid: when and how; the server records it as a settled, receipted offline gift. */
function PaidDialog({
  invoice,
  onClose,
  onDone,
}: {
  invoice: Invoice | null;
  onClose: () => void;
  onDone: () => unknown;
}) {
  const { t } = usePledgesT();
  const [receivedOn, setReceivedOn] = useState(today());
  const [method, setMethod] = useState<string>('wire');
  const pay = useMutation({
    mutationFn: () =>
      api.post(`/api/giving/pledge-invoices/${invoice?.id}/paid`, { receivedOn: dayIso(receivedOn), method }),
    onSuccess: async () => {
      await onDone();
      toast(t('invoices.paidDone'));
      onClose();
    },
  });
  return (
    <Modal
      opened={invoice !== null}
      onClose={() => {
        pay.reset();
        onClose();
      }}
      title={t('invoices.paidTitle', { number: invoice?.number ?? '' })}
      closeButtonProps={{ 'aria-label': t('close') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          pay.mutate();
        }}
      >
        <Stack gap="md">
          <Text size="sm">{t('invoices.paidBody')}</Text>
          <TextInput
            type="date"
            label={t('invoices.receivedOn')}
            required
            value={receivedOn}
            onChange={(e) => setReceivedOn(e.currentTarget.value)}
            data-testid="invoice-received-on"
          />
          <NativeSelect
            label={t('invoices.method')}
            value={method}
            onChange={(e) => setMethod(e.currentTarget.value)}
            data={PAYMENT_METHOD_LIST.map((m) => ({ value: m, label: t(`method.${m}`) }))}
            data-testid="invoice-method"
          />
          {pay.isError && <ErrorAlert error={pay.error} testId="invoice-paid-error" />}
          <Group justify="flex-end">
            <Button type="submit" loading={pay.isPending} data-testid="invoice-paid-confirm">
              {t('invoices.markPaid')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
