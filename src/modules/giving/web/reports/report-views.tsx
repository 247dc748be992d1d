import {
  Badge,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../../web/api';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { ScrollTable } from '../../../../web/components/scroll-table';
import {
  type LapsedReport,
  REPORT_GROUPS,
  type ReportGroup,
  type RetentionYear,
  reportUrl,
  type TopDonor,
  type TotalsReport,
} from './reports-api';
import { CsvLink, CURRENCIES, ShareBar, thisYear, useReportsT } from './ui';

const GROUPS: readonly ReportGroup[] = REPORT_GROUPS;

function DateRange({
  from,
  to,
  onChange,
}: {
  from: string;
  to: string;
  onChange: (range: { from: string; to: string }) => void;
}) {
  const { t } = useReportsT();
  return (
    <>
      <TextInput
        type="date"
        label={t('from')}
        value={from}
        onChange={(e) => onChange({ from: e.currentTarget.value, to })}
        data-testid="report-from"
      />
      <TextInput
        type="date"
        label={t('to')}
        value={to}
        onChange={(e) => onChange({ from, to: e.currentTarget.value })}
        data-testid="report-to"
      />
    </>
  );
}

function YearInput({
  value,
  onChange,
  testId,
}: {
  value: number;
  onChange: (y: number) => void;
  testId: string;
}) {
  const { t } = useReportsT();
  return (
    <NumberInput
      label={t('year')}
      value={value}
      min={1990}
      max={2200}
      allowDecimal={false}
      onChange={(v) => typeof v === 'number' && v >= 1990 && v <= 2200 && onChange(v)}
      w={110}
      data-testid={testId}
    />
  );
}

/** Totals by fund, campaign, month or currency over a range of days, with a bar per currency. */
export function TotalsView() {
  const { t } = useReportsT();
  const money = useMoney();
  const year = thisYear();
  const [groupBy, setGroupBy] = useState<ReportGroup>('fund');
  // Four choices side by side are wider than a phone: stacked there.
  const isPhone = useMediaQuery('(max-width: 30em)', false, { getInitialValueInEffect: false });
  const [range, setRange] = useState({ from: `${year}-01-01`, to: `${year}-12-31` });
  const query = { groupBy, from: range.from || undefined, to: range.to || undefined };
  const report = useQuery({
    queryKey: ['giving-reports', 'totals', query],
    queryFn: () => api.get<TotalsReport>(reportUrl('totals', query)),
    placeholderData: keepPreviousData,
  });
  const max = new Map<string, number>();
  for (const r of report.data?.rows ?? [])
    max.set(r.currency, Math.max(max.get(r.currency) ?? 0, r.amountMinor));
  const label = (key: string | null, name: string | null) =>
    key === null
      ? t('totals.noCampaign')
      : groupBy === 'fund' || groupBy === 'campaign'
        ? (name ?? key)
        : key;

  return (
    <Stack gap="md">
      <Group align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="totals-group-label">
            {t('totals.groupBy')}
          </Text>
          <SegmentedControl
            aria-labelledby="totals-group-label"
            value={groupBy}
            onChange={(v) => setGroupBy(v as ReportGroup)}
            data={GROUPS.map((g) => ({ value: g, label: t(`totals.${g}`) }))}
            orientation={isPhone ? 'vertical' : 'horizontal'}
            fullWidth={isPhone}
            data-testid="totals-group"
          />
        </Stack>
        <DateRange from={range.from} to={range.to} onChange={setRange} />
        <CsvLink href={reportUrl('totals', query, true)} testId="totals-csv" />
      </Group>
      {report.isPending ? (
        <PageLoader />
      ) : report.isError ? (
        <ErrorAlert error={report.error} />
      ) : report.data.rows.length === 0 ? (
        <Text c="dimmed">{t('none')}</Text>
      ) : (
        <ScrollTable minWidth={560} label={t('views.totals')}>
          <Table striped data-testid="totals-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t(`totals.${groupBy}`)}</Table.Th>
                <Table.Th>{t('currency')}</Table.Th>
                <Table.Th ta="right">{t('amount')}</Table.Th>
                <Table.Th w="25%">
                  <VisuallyHidden>{t('shareHeader')}</VisuallyHidden>
                </Table.Th>
                <Table.Th ta="right">{t('gifts')}</Table.Th>
                <Table.Th ta="right">{t('donors')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data.rows.map((r) => (
                <Table.Tr key={`${r.key}-${r.currency}`} data-testid="totals-row">
                  <Table.Td>{label(r.key, r.label)}</Table.Td>
                  <Table.Td>{r.currency}</Table.Td>
                  <Table.Td ta="right">{money(r.amountMinor, r.currency)}</Table.Td>
                  <Table.Td>
                    <ShareBar value={r.amountMinor} max={max.get(r.currency) ?? 0} currency={r.currency} />
                  </Table.Td>
                  <Table.Td ta="right">{r.gifts}</Table.Td>
                  <Table.Td ta="right">{r.donors}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
            <Table.Tfoot>
              {report.data.totals.map((r) => (
                <Table.Tr key={r.currency} data-testid="totals-sum">
                  <Table.Th>{t('totals.all')}</Table.Th>
                  <Table.Th>{r.currency}</Table.Th>
                  <Table.Th ta="right">{money(r.amountMinor, r.currency)}</Table.Th>
                  <Table.Td />
                  <Table.Th ta="right">{r.gifts}</Table.Th>
                  <Table.Th ta="right">{r.donors}</Table.Th>
                </Table.Tr>
              ))}
            </Table.Tfoot>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}

/** LYBUNT and SYBUNT for a year: who to ask again, with their last gift. */
export function LapsedView() {
  const { t } = useReportsT();
  const money = useMoney();
  const [kind, setKind] = useState<'lybunt' | 'sybunt'>('lybunt');
  const [year, setYear] = useState(thisYear());
  const query = { year };
  const report = useQuery({
    queryKey: ['giving-reports', kind, year],
    queryFn: () => api.get<LapsedReport>(reportUrl(kind, query)),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack gap="md">
      <Group align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="lapsed-kind-label">
            {t('lapsed.kind')}
          </Text>
          <SegmentedControl
            aria-labelledby="lapsed-kind-label"
            value={kind}
            onChange={(v) => setKind(v as 'lybunt' | 'sybunt')}
            data={[
              { value: 'lybunt', label: t('lapsed.lybunt') },
              { value: 'sybunt', label: t('lapsed.sybunt') },
            ]}
            data-testid="lapsed-kind"
          />
        </Stack>
        <YearInput value={year} onChange={setYear} testId="lapsed-year" />
        <CsvLink href={reportUrl(kind, query, true)} testId="lapsed-csv" stepUp />
      </Group>
      <Text size="sm" c="dimmed">
        {t(kind === 'lybunt' ? 'lapsed.lybuntHelp' : 'lapsed.sybuntHelp', { year, last: year - 1 })}
      </Text>
      {report.isPending ? (
        <PageLoader />
      ) : report.isError ? (
        <ErrorAlert error={report.error} />
      ) : report.data.donors.length === 0 ? (
        <Text c="dimmed">{t('none')}</Text>
      ) : (
        <>
          <Text size="sm" data-testid="lapsed-count">
            {t('lapsed.shown', { shown: report.data.donors.length, total: report.data.total })}
          </Text>
          <ScrollTable minWidth={560} label={t(`lapsed.${kind}`)}>
            <Table striped data-testid="lapsed-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('name')}</Table.Th>
                  <Table.Th>{t('email')}</Table.Th>
                  <Table.Th>{t('lastGift')}</Table.Th>
                  <Table.Th ta="right">{t('lapsed.lastYear')}</Table.Th>
                  <Table.Th ta="right">{t('lapsed.lastYearTotal')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.data.donors.map((d) => (
                  <Table.Tr key={d.supporterId} data-testid="lapsed-row">
                    <Table.Td>{d.name ?? t('noName')}</Table.Td>
                    <Table.Td>{d.email ?? '—'}</Table.Td>
                    <Table.Td>{d.lastGiftOn}</Table.Td>
                    <Table.Td ta="right">{d.lastGivingYear}</Table.Td>
                    <Table.Td ta="right">
                      {d.lastGivingYearTotals.map((x) => money(x.amountMinor, x.currency)).join(' · ')}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </>
      )}
    </Stack>
  );
}

/** Donor retention over the last few years. */
export function RetentionView() {
  const { t } = useReportsT();
  const [year, setYear] = useState(thisYear());
  const [years, setYears] = useState(5);
  const query = { year, years };
  const report = useQuery({
    queryKey: ['giving-reports', 'retention', year, years],
    queryFn: () => api.get<{ year: number; years: RetentionYear[] }>(reportUrl('retention', query)),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack gap="md">
      <Group align="flex-end" wrap="wrap">
        <YearInput value={year} onChange={setYear} testId="retention-year" />
        <NumberInput
          label={t('retention.years')}
          value={years}
          min={1}
          max={10}
          allowDecimal={false}
          onChange={(v) => typeof v === 'number' && v >= 1 && v <= 10 && setYears(v)}
          w={110}
          data-testid="retention-years"
        />
        <CsvLink href={reportUrl('retention', query, true)} testId="retention-csv" />
      </Group>
      <Text size="sm" c="dimmed">
        {t('retention.help')}
      </Text>
      {report.isPending ? (
        <PageLoader />
      ) : report.isError ? (
        <ErrorAlert error={report.error} />
      ) : (
        <ScrollTable minWidth={560} label={t('views.retention')}>
          <Table striped data-testid="retention-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('year')}</Table.Th>
                <Table.Th ta="right">{t('donors')}</Table.Th>
                <Table.Th ta="right">{t('retention.new')}</Table.Th>
                <Table.Th ta="right">{t('retention.retained')}</Table.Th>
                <Table.Th ta="right">{t('retention.recaptured')}</Table.Th>
                <Table.Th ta="right">{t('retention.lapsed')}</Table.Th>
                <Table.Th ta="right">{t('retention.rate')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data.years.map((y) => (
                <Table.Tr key={y.year} data-testid="retention-row">
                  <Table.Td>{y.year}</Table.Td>
                  <Table.Td ta="right">{y.donors}</Table.Td>
                  <Table.Td ta="right">{y.new}</Table.Td>
                  <Table.Td ta="right">{y.retained}</Table.Td>
                  <Table.Td ta="right">{y.recaptured}</Table.Td>
                  <Table.Td ta="right">{y.lapsed}</Table.Td>
                  <Table.Td ta="right">
                    {y.retentionPercent === null
                      ? t('retention.noBase')
                      : t('retention.rateOf', {
                          rate: y.retentionPercent.toFixed(1),
                          base: y.lastYearDonors,
                        })}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}

/** The largest donors over a range of days, ranked within each currency. */
export function TopDonorsView() {
  const { t } = useReportsT();
  const money = useMoney();
  const year = thisYear();
  const [range, setRange] = useState({ from: `${year}-01-01`, to: `${year}-12-31` });
  const [currency, setCurrency] = useState<string | null>(null);
  const [limit, setLimit] = useState(25);
  const query = {
    from: range.from || undefined,
    to: range.to || undefined,
    currency: currency ?? undefined,
    limit,
  };
  const report = useQuery({
    queryKey: ['giving-reports', 'top-donors', query],
    queryFn: () => api.get<{ donors: TopDonor[] }>(reportUrl('top-donors', query)),
    placeholderData: keepPreviousData,
  });
  const max = new Map<string, number>();
  for (const d of report.data?.donors ?? [])
    max.set(d.currency, Math.max(max.get(d.currency) ?? 0, d.amountMinor));
  return (
    <Stack gap="md">
      <Group align="flex-end" wrap="wrap">
        <DateRange from={range.from} to={range.to} onChange={setRange} />
        <Select
          label={t('currency')}
          placeholder={t('allCurrencies')}
          data={CURRENCIES.map((c) => ({ value: c, label: c }))}
          value={currency}
          onChange={setCurrency}
          clearable
          w={160}
          data-testid="top-currency"
        />
        <NumberInput
          label={t('top.limit')}
          value={limit}
          min={1}
          max={500}
          allowDecimal={false}
          onChange={(v) => typeof v === 'number' && v >= 1 && v <= 500 && setLimit(v)}
          w={150}
          data-testid="top-limit"
        />
        <CsvLink href={reportUrl('top-donors', query, true)} testId="top-csv" stepUp />
      </Group>
      {report.isPending ? (
        <PageLoader />
      ) : report.isError ? (
        <ErrorAlert error={report.error} />
      ) : report.data.donors.length === 0 ? (
        <Text c="dimmed">{t('none')}</Text>
      ) : (
        <ScrollTable minWidth={600} label={t('views.top')}>
          <Table striped data-testid="top-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('currency')}</Table.Th>
                <Table.Th ta="right">{t('top.rank')}</Table.Th>
                <Table.Th>{t('name')}</Table.Th>
                <Table.Th ta="right">{t('amount')}</Table.Th>
                <Table.Th w="20%">
                  <VisuallyHidden>{t('shareHeader')}</VisuallyHidden>
                </Table.Th>
                <Table.Th ta="right">{t('gifts')}</Table.Th>
                <Table.Th>{t('lastGift')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data.donors.map((d) => (
                <Table.Tr key={`${d.currency}-${d.supporterId}`} data-testid="top-row">
                  <Table.Td>{d.currency}</Table.Td>
                  <Table.Td ta="right">{d.rank}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <span>{d.name ?? t('noName')}</span>
                      {d.anonymousGifts > 0 ? (
                        <Tooltip label={t('top.anonymousHelp', { count: d.anonymousGifts })}>
                          <Badge variant="dot" c="gray.9" color="gray" data-testid="top-anonymous">
                            {t('top.anonymous')}
                          </Badge>
                        </Tooltip>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">{money(d.amountMinor, d.currency)}</Table.Td>
                  <Table.Td>
                    <ShareBar value={d.amountMinor} max={max.get(d.currency) ?? 0} currency={d.currency} />
                  </Table.Td>
                  <Table.Td ta="right">{d.gifts}</Table.Td>
                  <Table.Td>{d.lastGiftOn}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
