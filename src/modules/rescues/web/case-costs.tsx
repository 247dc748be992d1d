import {
  Button,
  Group,
  NativeSelect,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { FormToggle } from '../../../web/components/form-toggle';
import { useMoney } from '../../../web/components/money';
import { Section } from '../../../web/components/section';
import { toast } from '../../../web/components/toast';
import { useCaseMutation } from './case-shared';
import {
  COST_CATEGORY_LIST,
  CURRENCY_LIST,
  casePath,
  minorDigits,
  parseMinor,
  type RescueCase,
} from './rescues-api';
import { dayToIso, todayDay, useRescuesT } from './ui';

/** Costs: the budget (per person × travellers), what was spent in each currency, funded units, entries. */
export function CaseCosts({ rescue, canWrite }: { rescue: RescueCase; canWrite: boolean }) {
  const { t, i18n } = useRescuesT();
  // Expenses are dated by day (midnight UTC), so the day is shown as such, in the reader's language.
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' });
  const c = rescue.costs;
  const money = useMoney();
  const inBudgetCurrency = c.spent.find((s) => s.currency === c.budgetCurrency)?.amountMinor ?? 0;
  const left = c.budgetTotalMinor - inBudgetCurrency;
  const legOf = (id: string | null) => rescue.legs.find((l) => l.id === id)?.position;

  return (
    <Section title={t('case.costs')} testId="case-costs">
      <Stack gap="sm">
        <Text size="sm" data-testid="costs-budget">
          {t('case.budgetLine', {
            perPerson: money(c.budgetPerPersonMinor, c.budgetCurrency),
            people: c.unitsNeeded,
            total: money(c.budgetTotalMinor, c.budgetCurrency),
          })}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              {t('case.spent')}
            </Text>
            {c.spent.length === 0 ? (
              <Text size="sm">{t('case.spentNone')}</Text>
            ) : (
              c.spent.map((s) => (
                <Text size="sm" key={s.currency} data-testid="costs-spent">
                  {money(s.amountMinor, s.currency)}
                  {s.currency === c.budgetCurrency
                    ? ` · ${left >= 0 ? t('case.remaining', { amount: money(left, c.budgetCurrency) }) : t('case.over', { amount: money(-left, c.budgetCurrency) })}`
                    : ''}
                </Text>
              ))
            )}
            <Progress
              value={c.budgetTotalMinor ? Math.min(100, (inBudgetCurrency / c.budgetTotalMinor) * 100) : 0}
              color={left < 0 ? 'red' : 'passage'}
              aria-label={t('case.spent')}
              size="sm"
            />
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              {t('case.funded', { funded: c.fundedUnits, needed: c.unitsNeeded })}
            </Text>
            <Progress
              value={c.unitsNeeded ? Math.min(100, (c.fundedUnits / c.unitsNeeded) * 100) : 0}
              color="green"
              aria-label={t('case.funded', { funded: c.fundedUnits, needed: c.unitsNeeded })}
              size="sm"
            />
          </Stack>
        </SimpleGrid>
        {c.items.length > 0 && (
          <Table verticalSpacing={6} data-testid="costs-table">
            <Table.Caption>{t('case.costsCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('case.date')}</Table.Th>
                <Table.Th>{t('case.category')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('case.leg')}</Table.Th>
                <Table.Th ta="right">{t('case.amount')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.items.map((item) => (
                <Table.Tr key={item.id}>
                  <Table.Td>{day.format(new Date(item.spentOn))}</Table.Td>
                  <Table.Td>{t(`costCategory.${item.category}`)}</Table.Td>
                  <Table.Td visibleFrom="sm">{legOf(item.legId) ?? '—'}</Table.Td>
                  <Table.Td ta="right">{money(item.amountMinor, item.currency)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canWrite && (
          <FormToggle label={t('case.recordCost')} testId="cost-add-toggle">
            {(close) => <RecordCostForm rescue={rescue} onDone={close} />}
          </FormToggle>
        )}
      </Stack>
    </Section>
  );
}

function RecordCostForm({ rescue, onDone }: { rescue: RescueCase; onDone: () => void }) {
  const { t } = useRescuesT();
  const form = useForm({
    initialValues: {
      category: '',
      amount: '',
      currency: rescue.costs.budgetCurrency,
      spentOn: todayDay(),
      legId: '',
    },
    validate: {
      category: (v) => (v ? null : t('validation.required')),
      amount: (v, values) =>
        parseMinor(v, values.currency) === null
          ? t('case.amountInvalid', { digits: minorDigits(values.currency) })
          : null,
      spentOn: (v) => (v ? null : t('validation.required')),
    },
  });
  const record = useCaseMutation(
    rescue.code,
    (v: typeof form.values) =>
      api.post(`${casePath(rescue.code)}/costs`, {
        category: v.category,
        amountMinor: parseMinor(v.amount, v.currency),
        currency: v.currency,
        spentOn: dayToIso(v.spentOn),
        legId: v.legId || null,
      }),
    () => {
      toast(t('case.costRecorded'));
      form.reset();
      onDone();
    },
  );
  return (
    <form onSubmit={form.onSubmit((v) => record.mutate(v))} noValidate data-testid="cost-form">
      <Stack gap="sm" mt="sm">
        {record.isError && <ErrorAlert error={record.error} />}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NativeSelect
            label={t('case.category')}
            required
            data={[
              { value: '', label: '—' },
              ...COST_CATEGORY_LIST.map((k) => ({ value: k, label: t(`costCategory.${k}`) })),
            ]}
            data-testid="cost-category"
            {...form.getInputProps('category')}
          />
          <Group gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              label={t('case.amount')}
              description={t('case.amountHelp')}
              inputMode="decimal"
              required
              style={{ flex: 1 }}
              data-testid="cost-amount"
              {...form.getInputProps('amount')}
            />
            <NativeSelect
              label={t('case.currency')}
              data={[...CURRENCY_LIST]}
              w={90}
              {...form.getInputProps('currency')}
            />
          </Group>
          <TextInput type="date" label={t('case.spentOn')} required {...form.getInputProps('spentOn')} />
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
        <Group justify="flex-end">
          <Button type="submit" loading={record.isPending} data-testid="cost-submit">
            {t('case.recordCost')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
