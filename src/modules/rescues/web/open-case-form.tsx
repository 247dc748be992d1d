import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type UseFormReturnType, useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, api } from '../../../web/api';
import { ErrorAlert } from '../../../web/components/error-alert';
import { PageLoader } from '../../../web/components/page-loader';
import { toast } from '../../../web/components/toast';
import {
  AGE_BAND_LIST,
  ANSWER_LIST,
  CATEGORY_LIST,
  CURRENCY_LIST,
  caseLink,
  DESTINATION_LIST,
  parseMinor,
  type RouteTemplate,
  rescueKeys,
  SEX_LIST,
  UNDER_18,
} from './rescues-api';
import { dayToIso, todayDay, useRescuesT } from './ui';

interface TravellerDraft {
  key: string;
  category: string;
  sex: string;
  ageBand: string;
  birthYear: string;
  travellingWithFamily: string;
  reunifyingWithFamily: string;
  reunifyWithCaseCode: string;
  traffickedInChina: string;
  yearsInChina: string;
  yearsDeclined: boolean;
  healthNeeds: string;
  // S4: kept in this form's memory only until the case is opened or the page is left.
  name: string;
  currentRegion: string;
  familyInNorthKorea: string;
  contactMethod: string;
  healthNotes: string;
}

let drafts = 0;
const blankTraveller = (): TravellerDraft => ({
  key: `t${++drafts}`,
  category: '',
  sex: '',
  ageBand: '',
  birthYear: '',
  travellingWithFamily: '',
  reunifyingWithFamily: '',
  reunifyWithCaseCode: '',
  traffickedInChina: '',
  yearsInChina: '',
  yearsDeclined: false,
  healthNeeds: '',
  name: '',
  currentRegion: '',
  familyInNorthKorea: '',
  contactMethod: '',
  healthNotes: '',
});

const S4_FIELDS = ['name', 'currentRegion', 'familyInNorthKorea', 'contactMethod', 'healthNotes'] as const;

/** The intake form: the case, its route, and each traveller with the intake questions and identity. */
export function OpenCaseForm() {
  const { t } = useRescuesT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const compartments = useQuery({
    queryKey: rescueKeys.compartments,
    queryFn: () =>
      api.get<{ compartments: { id: string; code: string; name: string }[] }>('/api/me/compartments'),
  });
  const templates = useQuery({
    queryKey: rescueKeys.templates,
    queryFn: () => api.get<{ templates: RouteTemplate[] }>('/api/rescues/route-templates'),
  });
  const required = (v: string) => (v ? null : t('validation.required'));
  const form = useForm<OpenValues>({
    initialValues: {
      compartmentId: '',
      destination: '',
      budget: '',
      budgetCurrency: 'USD',
      routeTemplateId: '',
      routeStart: todayDay(),
      travellers: [blankTraveller()],
    },
    validate: {
      compartmentId: required,
      budget: (v, values) =>
        v && parseMinor(v, values.budgetCurrency) === null ? t('case.amountInvalid', { digits: 2 }) : null,
      travellers: {
        category: required,
        sex: required,
        ageBand: (v, values, path) => {
          if (!v) return t('validation.required');
          const i = Number(path.split('.')[1]);
          const category = values.travellers[i]?.category;
          return category && category !== 'adult' && !UNDER_18.includes(v as never)
            ? t('validation.under18')
            : null;
        },
        birthYear: (v) => (!v || (/^\d{4}$/.test(v) && Number(v) >= 1920) ? null : t('validation.birthYear')),
        travellingWithFamily: required,
        reunifyingWithFamily: required,
        traffickedInChina: required,
        healthNeeds: required,
        yearsInChina: (v, values, path) => {
          const i = Number(path.split('.')[1]);
          if (values.travellers[i]?.yearsDeclined) return null;
          return /^\d{1,2}$/.test(v) && Number(v) <= 80 ? null : t('validation.years');
        },
      },
    },
  });

  // Leaving the page drops whatever identity was typed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: on unmount only
  useEffect(() => () => form.reset(), []);

  // The only compartment is chosen for the coordinator.
  useEffect(() => {
    const list = compartments.data?.compartments;
    if (list?.length === 1 && !form.getValues().compartmentId)
      form.setFieldValue('compartmentId', list[0]?.id ?? '');
  }, [compartments.data, form]);

  if (compartments.isPending || templates.isPending) return <PageLoader />;
  if (compartments.isError) return <ErrorAlert error={compartments.error} />;
  const myCompartments = compartments.data.compartments;
  const templateList = templates.data?.templates ?? [];

  const submit = form.onSubmit(async (v) => {
    setError(null);
    const body = {
      compartmentId: v.compartmentId,
      destination: v.destination || null,
      ...(v.budget
        ? { budgetPerPersonMinor: parseMinor(v.budget, v.budgetCurrency), budgetCurrency: v.budgetCurrency }
        : {}),
      ...(v.routeTemplateId
        ? { routeTemplateId: v.routeTemplateId, routeStart: dayToIso(v.routeStart || todayDay()) }
        : {}),
      travellers: v.travellers.map((tr) => ({
        category: tr.category,
        sex: tr.sex,
        ageBand: tr.ageBand,
        birthYear: tr.birthYear ? Number(tr.birthYear) : null,
        travellingWithFamily: tr.travellingWithFamily,
        reunifyingWithFamily: tr.reunifyingWithFamily,
        ...(tr.reunifyingWithFamily === 'yes' && tr.reunifyWithCaseCode.trim()
          ? { reunifyWithCaseCode: tr.reunifyWithCaseCode.trim().toUpperCase() }
          : {}),
        traffickedInChina: tr.traffickedInChina,
        yearsInChina: tr.yearsDeclined ? 'declined' : Number(tr.yearsInChina),
        healthNeeds: tr.healthNeeds,
        ...Object.fromEntries(S4_FIELDS.filter((f) => tr[f].trim()).map((f) => [f, tr[f].trim()])),
      })),
    };
    try {
      const { code } = await api.post<{ code: string }>('/api/rescues', body);
      form.reset();
      await queryClient.invalidateQueries({ queryKey: rescueKeys.all });
      toast(t('open.opened', { code }));
      navigate(caseLink(code));
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.issues.length) {
        form.setErrors(Object.fromEntries(e.issues.map((i) => [i.field, i.message])));
      }
    }
  });

  const chosen = templateList.find((tp) => tp.id === form.values.routeTemplateId);

  return (
    <form onSubmit={submit} noValidate data-testid="open-case-form">
      <Stack gap="lg" maw={900}>
        <Stack gap={4}>
          <Title order={2} size="h3">
            {t('open.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('open.intro')}
          </Text>
        </Stack>
        {error ? <ErrorAlert error={error} /> : null}

        <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
          <Title order={3} size="h4" mb="sm">
            {t('open.case')}
          </Title>
          {myCompartments.length === 0 ? (
            <Alert color="yellow" variant="light" role="status">
              {t('open.compartmentNone')}
            </Alert>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
              <NativeSelect
                label={t('open.compartment')}
                description={t('open.compartmentHelp')}
                required
                data={[
                  { value: '', label: '—' },
                  ...myCompartments.map((c) => ({ value: c.id, label: `${c.name} (${c.code})` })),
                ]}
                data-testid="open-compartment"
                {...form.getInputProps('compartmentId')}
              />
              <NativeSelect
                label={t('open.destination')}
                data={[
                  { value: '', label: t('destination.none') },
                  ...DESTINATION_LIST.map((d) => ({ value: d, label: t(`destination.${d}`) })),
                ]}
                data-testid="open-destination"
                {...form.getInputProps('destination')}
              />
              <TextInput
                label={t('open.budget')}
                description={t('open.budgetHelp', { currency: form.values.budgetCurrency })}
                inputMode="decimal"
                data-testid="open-budget"
                {...form.getInputProps('budget')}
              />
              <NativeSelect
                label={t('open.budgetCurrency')}
                data={[...CURRENCY_LIST]}
                {...form.getInputProps('budgetCurrency')}
              />
            </SimpleGrid>
          )}
        </Paper>

        <Paper withBorder radius="md" p={{ base: 'sm', sm: 'md' }}>
          <Title order={3} size="h4" mb="sm">
            {t('open.route')}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <NativeSelect
              label={t('open.routeTemplate')}
              data={[
                { value: '', label: t('open.noTemplate') },
                ...templateList.map((tp) => ({ value: tp.id, label: tp.name })),
              ]}
              description={
                chosen
                  ? t('open.templateLegs', {
                      count: chosen.legs.length,
                      days: chosen.legs.reduce((n, l) => n + Math.max(l.days, 1), 0),
                    })
                  : undefined
              }
              data-testid="open-template"
              {...form.getInputProps('routeTemplateId')}
            />
            <TextInput
              type="date"
              label={t('open.routeStart')}
              disabled={!form.values.routeTemplateId}
              data-testid="open-route-start"
              {...form.getInputProps('routeStart')}
            />
          </SimpleGrid>
        </Paper>

        <Stack gap="md">
          <Title order={3} size="h4">
            {t('open.travellers')}
          </Title>
          {form.values.travellers.map((tr, i) => (
            <TravellerFields
              key={tr.key}
              index={i}
              form={form}
              removable={form.values.travellers.length > 1}
            />
          ))}
          <Group>
            <Button
              variant="default"
              onClick={() => form.insertListItem('travellers', blankTraveller())}
              disabled={form.values.travellers.length >= 30}
              data-testid="open-add-traveller"
            >
              {t('open.addTraveller')}
            </Button>
          </Group>
        </Stack>

        <Group justify="flex-end">
          <Button
            type="submit"
            size="md"
            loading={form.submitting}
            disabled={myCompartments.length === 0}
            data-testid="open-submit"
          >
            {t('open.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface OpenValues {
  compartmentId: string;
  destination: string;
  budget: string;
  budgetCurrency: string;
  routeTemplateId: string;
  routeStart: string;
  travellers: TravellerDraft[];
}
// biome-ignore lint/suspicious/noExplicitAny: the validation rules are the form's own business
type OpenForm = UseFormReturnType<OpenValues, OpenValues, any>;

function AnswerRadios({
  form,
  path,
  label,
  testId,
}: {
  form: OpenForm;
  path: string;
  label: string;
  testId: string;
}) {
  const { t } = useRescuesT();
  return (
    <Radio.Group label={label} required data-testid={testId} {...form.getInputProps(path)}>
      <Group gap="md" mt={6}>
        {ANSWER_LIST.map((a) => (
          <Radio key={a} value={a} label={t(`answer.${a}`)} data-testid={`${testId}-${a}`} />
        ))}
      </Group>
    </Radio.Group>
  );
}

function TravellerFields({ index, form, removable }: { index: number; form: OpenForm; removable: boolean }) {
  const { t } = useRescuesT();
  const p = (field: string) => `travellers.${index}.${field}`;
  const tr = form.values.travellers[index];
  if (!tr) return null;
  const n = index + 1;
  return (
    <Fieldset
      legend={t('open.traveller', { n })}
      radius="md"
      data-testid="open-traveller"
      styles={{ legend: { fontWeight: 700 } }}
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md">
          <NativeSelect
            label={t('open.category')}
            required
            data={[
              { value: '', label: '—' },
              ...CATEGORY_LIST.map((c) => ({ value: c, label: t(`category.${c}`) })),
            ]}
            data-testid="traveller-category"
            {...form.getInputProps(p('category'))}
          />
          <NativeSelect
            label={t('open.sex')}
            required
            data={[{ value: '', label: '—' }, ...SEX_LIST.map((s) => ({ value: s, label: t(`sex.${s}`) }))]}
            data-testid="traveller-sex"
            {...form.getInputProps(p('sex'))}
          />
          <NativeSelect
            label={t('open.ageBand')}
            required
            data={[
              { value: '', label: '—' },
              ...AGE_BAND_LIST.map((a) => ({ value: a, label: t(`ageBand.${a}`) })),
            ]}
            data-testid="traveller-age-band"
            {...form.getInputProps(p('ageBand'))}
          />
          <TextInput
            label={t('open.birthYear')}
            inputMode="numeric"
            maxLength={4}
            data-testid="traveller-birth-year"
            {...form.getInputProps(p('birthYear'))}
          />
        </SimpleGrid>

        <Fieldset legend={t('open.intake')} variant="unstyled">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="md">
            <AnswerRadios
              form={form}
              path={p('travellingWithFamily')}
              label={t('open.travellingWithFamily')}
              testId="traveller-travelling-with-family"
            />
            <AnswerRadios
              form={form}
              path={p('reunifyingWithFamily')}
              label={t('open.reunifyingWithFamily')}
              testId="traveller-reunifying"
            />
            <AnswerRadios
              form={form}
              path={p('traffickedInChina')}
              label={t('open.traffickedInChina')}
              testId="traveller-trafficked"
            />
            <AnswerRadios
              form={form}
              path={p('healthNeeds')}
              label={t('open.healthNeeds')}
              testId="traveller-health-needs"
            />
            <Group gap="md" align="flex-end" wrap="wrap">
              <TextInput
                label={t('open.yearsInChina')}
                inputMode="numeric"
                maxLength={2}
                w={140}
                required={!tr.yearsDeclined}
                disabled={tr.yearsDeclined}
                data-testid="traveller-years"
                {...form.getInputProps(p('yearsInChina'))}
              />
              <Checkbox
                label={t('open.yearsDeclined')}
                mb={8}
                data-testid="traveller-years-declined"
                {...form.getInputProps(p('yearsDeclined'), { type: 'checkbox' })}
              />
            </Group>
            {tr.reunifyingWithFamily === 'yes' && (
              <TextInput
                label={t('open.reunifyWithCaseCode')}
                placeholder="QUIET-HERON-27"
                autoCapitalize="characters"
                {...form.getInputProps(p('reunifyWithCaseCode'))}
              />
            )}
          </SimpleGrid>
        </Fieldset>

        <Paper radius="md" p="sm" bg="red.0" withBorder style={{ borderColor: 'var(--mantine-color-red-3)' }}>
          <Stack gap="sm">
            <Group gap="xs">
              <Badge color="red.9" variant="filled" size="sm">
                {t('common.sensitive')}
              </Badge>
              <Text fw={700} size="sm" component="h4" m={0}>
                {t('open.sensitive')}
              </Text>
            </Group>
            <Text size="xs" c="gray.8">
              {t('open.sensitiveHelp')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput
                label={t('open.name')}
                autoComplete="off"
                data-testid="traveller-name"
                {...form.getInputProps(p('name'))}
              />
              <TextInput
                label={t('open.currentRegion')}
                autoComplete="off"
                data-testid="traveller-region"
                {...form.getInputProps(p('currentRegion'))}
              />
              <Textarea
                label={t('open.familyInNorthKorea')}
                autosize
                minRows={2}
                autoComplete="off"
                data-testid="traveller-family"
                {...form.getInputProps(p('familyInNorthKorea'))}
              />
              <Textarea
                label={t('open.contactMethod')}
                autosize
                minRows={2}
                autoComplete="off"
                data-testid="traveller-contact"
                {...form.getInputProps(p('contactMethod'))}
              />
              <Textarea
                label={t('open.healthNotes')}
                autosize
                minRows={2}
                autoComplete="off"
                data-testid="traveller-health-notes"
                {...form.getInputProps(p('healthNotes'))}
              />
            </SimpleGrid>
          </Stack>
        </Paper>

        {removable && (
          <Group justify="flex-end">
            <Button
              variant="subtle"
              color="red"
              onClick={() => form.removeListItem('travellers', index)}
              aria-label={t('open.removeTraveller', { n })}
            >
              {t('open.removeTraveller', { n })}
            </Button>
          </Group>
        )}
      </Stack>
    </Fieldset>
  );
}
