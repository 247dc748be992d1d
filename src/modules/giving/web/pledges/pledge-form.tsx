import {
  Anchor,
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../../../web/api';
import { ErrorAlert } from '../../../../web/components/error-alert';
import {
  GIVING_CURRENCIES,
  type GivingCurrency,
  type Pledge,
  type PledgeKind,
  pledgeKeys,
  type SupporterHit,
  toMinor,
} from './pledges-api';
import { usePledgesT } from './ui';

/** Finds the sponsor (usually an organisation) through people's own search, and picks one. */
function SponsorPicker({
  value,
  onChange,
}: {
  value: SupporterHit | null;
  onChange: (next: SupporterHit | null) => void;
}) {
  const { t } = usePledgesT();
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 250);
  const resultsId = useId();
  const hits = useQuery({
    queryKey: pledgeKeys.supporters(q),
    queryFn: () =>
      api.get<{ supporters: SupporterHit[] }>(`/api/people?${new URLSearchParams({ q, limit: '8' })}`),
    enabled: !value && q.length >= 2,
    staleTime: 30_000,
  });
  if (value)
    return (
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          {t('form.sponsor')}
        </Text>
        <Group gap="xs">
          <Text size="sm" fw={600} data-testid="pledge-sponsor-picked">
            {value.displayName}
          </Text>
          <Button variant="subtle" size="compact-sm" onClick={() => onChange(null)}>
            {t('form.changeSponsor')}
          </Button>
        </Group>
      </Stack>
    );
  return (
    <Stack gap={4}>
      <TextInput
        label={t('form.sponsor')}
        description={t('form.sponsorHelp')}
        required
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        aria-describedby={q.length >= 2 ? resultsId : undefined}
        autoComplete="off"
        data-testid="pledge-sponsor-search"
      />
      {q.length >= 2 && (
        <Paper withBorder p={4} radius="sm" id={resultsId} aria-live="polite">
          {hits.isError && <ErrorAlert error={hits.error} />}
          {hits.data?.supporters.length === 0 && (
            <Text size="sm" p={4}>
              {t('form.noSponsor')}
            </Text>
          )}
          {hits.data?.supporters.map((s) => (
            <UnstyledButton
              key={s.id}
              display="block"
              w="100%"
              p={6}
              onClick={() => onChange(s)}
              data-testid="pledge-sponsor-hit"
            >
              <Text size="sm" fw={600}>
                {s.displayName}
              </Text>
              <Text size="xs" c="gray.7">
                {[s.email, s.postcode].filter(Boolean).join(' · ')}
              </Text>
            </UnstyledButton>
          ))}
        </Paper>
      )}
    </Stack>
  );
}

const dayIso = (day: string) => (day ? new Date(`${day}T00:00:00.000Z`).toISOString() : undefined);

/** Create a pledge: per unit (a rate per N units of a metric) or matching (ratio:1 of gifts in a window). */
export function PledgeForm() {
  const { t } = usePledgesT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<PledgeKind>('per_unit');
  const [sponsor, setSponsor] = useState<SupporterHit | null>(null);
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState<GivingCurrency>('USD');
  const [fund, setFund] = useState('');
  const [campaign, setCampaign] = useState('');
  const [metric, setMetric] = useState('');
  const [rate, setRate] = useState('');
  const [perUnits, setPerUnits] = useState<number | string>(1);
  const [ratio, setRatio] = useState<number | string>(1);
  const [cap, setCap] = useState('');
  const [startsOn, setStartsOn] = useState(new Date().toISOString().slice(0, 10));
  const [endsOn, setEndsOn] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const funds = useQuery({
    queryKey: pledgeKeys.funds(),
    queryFn: () => api.get<{ funds: { code: string; name: string }[] }>('/api/giving/funds'),
  });
  const campaigns = useQuery({
    queryKey: pledgeKeys.campaigns(),
    queryFn: () => api.get<{ campaigns: { code: string; name: string }[] }>('/api/giving/campaigns'),
  });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<Pledge>('/api/giving/pledges', body),
    onSuccess: async (pledge) => {
      await queryClient.invalidateQueries({ queryKey: pledgeKeys.all });
      navigate(`?pledge=${pledge.id}`);
    },
  });

  const rateMinor = rate ? toMinor(rate, currency) : { minor: null, error: null };
  const capMinor = cap ? toMinor(cap, currency) : { minor: null, error: null };
  function submit(event: React.FormEvent) {
    event.preventDefault();
    setProblem(null);
    if (!sponsor) return setProblem(t('form.sponsorRequired'));
    if (rateMinor.error || capMinor.error) return;
    create.mutate({
      kind,
      sponsorId: sponsor.id,
      name,
      currency,
      fund: fund || funds.data?.funds[0]?.code,
      ...(campaign ? { campaign } : {}),
      ...(kind === 'per_unit'
        ? { metric, rateMinor: rateMinor.minor ?? undefined, perUnits: Number(perUnits) }
        : { matchRatio: Number(ratio) }),
      ...(capMinor.minor ? { capMinor: capMinor.minor } : {}),
      startsAt: dayIso(startsOn),
      ...(endsOn ? { endsAt: dayIso(endsOn) } : {}),
    });
  }

  return (
    <Stack gap="lg" maw={760}>
      <Anchor component={Link} to="." size="sm">
        {t('back')}
      </Anchor>
      <Title order={1} size="h2">
        {t('form.title')}
      </Title>
      <form onSubmit={submit} noValidate aria-label={t('form.title')}>
        <Stack gap="md">
          <Stack gap={4}>
            <Text size="sm" fw={500} id="pledge-kind-label">
              {t('form.kind')}
            </Text>
            <SegmentedControl
              aria-labelledby="pledge-kind-label"
              value={kind}
              onChange={(v) => setKind(v as PledgeKind)}
              data={[
                { value: 'per_unit', label: t('kind.per_unit') },
                { value: 'matching', label: t('kind.matching') },
              ]}
              data-testid="pledge-kind"
            />
            <Text size="xs" c="gray.7">
              {t(`form.kindHelp.${kind}`)}
            </Text>
          </Stack>
          <SponsorPicker value={sponsor} onChange={setSponsor} />
          <TextInput
            label={t('form.name')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-testid="pledge-name"
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NativeSelect
              label={t('form.currency')}
              value={currency}
              onChange={(e) => setCurrency(e.currentTarget.value as GivingCurrency)}
              data={[...GIVING_CURRENCIES]}
              data-testid="pledge-currency"
            />
            <NativeSelect
              label={t('form.fund')}
              value={fund}
              onChange={(e) => setFund(e.currentTarget.value)}
              data={(funds.data?.funds ?? []).map((f) => ({ value: f.code, label: f.name }))}
              data-testid="pledge-fund"
            />
            <NativeSelect
              label={t('form.campaign')}
              value={campaign}
              onChange={(e) => setCampaign(e.currentTarget.value)}
              data={[
                { value: '', label: t('form.noCampaign') },
                ...(campaigns.data?.campaigns ?? []).map((c) => ({ value: c.code, label: c.name })),
              ]}
              data-testid="pledge-campaign"
            />
          </SimpleGrid>
          {kind === 'per_unit' ? (
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput
                label={t('form.metric')}
                placeholder={t('form.metricPlaceholder')}
                required
                value={metric}
                onChange={(e) => setMetric(e.currentTarget.value)}
                data-testid="pledge-metric"
              />
              <TextInput
                label={t('form.rate', { currency })}
                required
                inputMode="decimal"
                value={rate}
                error={rateMinor.error}
                onChange={(e) => setRate(e.currentTarget.value)}
                data-testid="pledge-rate"
              />
              <NumberInput
                label={t('form.perUnits')}
                min={1}
                allowDecimal={false}
                value={perUnits}
                onChange={setPerUnits}
                data-testid="pledge-per-units"
              />
            </SimpleGrid>
          ) : (
            <NumberInput
              label={t('form.ratio')}
              description={t('form.ratioHelp')}
              min={1}
              max={10}
              allowDecimal={false}
              value={ratio}
              onChange={setRatio}
              data-testid="pledge-ratio"
            />
          )}
          <TextInput
            label={t('form.cap', { currency })}
            description={t(kind === 'matching' ? 'form.capRequired' : 'form.capOptional')}
            required={kind === 'matching'}
            inputMode="decimal"
            value={cap}
            error={capMinor.error}
            onChange={(e) => setCap(e.currentTarget.value)}
            data-testid="pledge-cap"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              type="date"
              label={t('form.startsOn')}
              required
              value={startsOn}
              onChange={(e) => setStartsOn(e.currentTarget.value)}
              data-testid="pledge-starts"
            />
            <TextInput
              type="date"
              label={t('form.endsOn')}
              description={t('form.endsHelp')}
              required={kind === 'matching'}
              value={endsOn}
              onChange={(e) => setEndsOn(e.currentTarget.value)}
              data-testid="pledge-ends"
            />
          </SimpleGrid>
          {problem && (
            <Text c="red.8" size="sm" role="alert">
              {problem}
            </Text>
          )}
          {create.isError && <ErrorAlert error={create.error} testId="pledge-form-error" />}
          <Group>
            <Button type="submit" loading={create.isPending} data-testid="pledge-create">
              {t('form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
