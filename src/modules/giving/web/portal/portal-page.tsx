import {
  Alert,
  Anchor,
  Badge,
  Button,
  Container,
  Group,
  Modal,
  Paper,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { parseAmount } from '../../../../platform/money/money';
import { api } from '../../../../web/api';
import { ConfirmDialog } from '../../../../web/components/confirm-dialog';
import { ErrorAlert } from '../../../../web/components/error-alert';
import { useMoney } from '../../../../web/components/money';
import { PageLoader } from '../../../../web/components/page-loader';
import { Section } from '../../../../web/components/section';
import { useDocumentTitle } from '../../../../web/components/use-document-title';
import { useSession, useSignOut } from '../../../../web/session';
import { portalNamespace } from './i18n/namespace';
import {
  CHANNELS,
  type ConsentChannel,
  type MonthlyChange,
  type MyGift,
  type MyMonthlyGift,
  type MyPreferences,
  PORTAL_KEYS,
  type PortalMe,
  receiptUrl,
} from './portal-api';

portalNamespace.register();

function usePortalT() {
  return portalNamespace.useT();
}

function useFormats() {
  const { i18n } = usePortalT();
  const lang = i18n.language;
  // Charge days and gift dates are UTC days (as on the receipts): shown as such, never a day off.
  const day = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' });
  const money = useMoney();
  return {
    money,
    day: (iso: string | null) => (iso ? day.format(new Date(iso)) : '—'),
  };
}

/**
 * The donor portal at /my: a signed-in supporter's gifts and receipts, monthly gifts (pause, resume,
 * cancel, change the amount) and communication preferences. Supporters sign in with an emailed link; the
 * server answers only with their own records (portal.routes.ts).
 */
export function PortalPage() {
  const { t } = usePortalT();
  const session = useSession();
  useDocumentTitle(t('title'));
  if (session.isPending) return <PageLoader />;
  if (!session.data) return <Navigate to="/supporters/sign-in" replace />;
  if (session.data.staff)
    return (
      <Container size="sm" py="xl">
        <Alert color="passage" variant="light" title={t('staff.title')} data-testid="portal-staff">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">{t('staff.body')}</Text>
            <Button component={Link} to="/console">
              {t('staff.console')}
            </Button>
          </Stack>
        </Alert>
      </Container>
    );
  return <Portal />;
}

function Portal() {
  const { t } = usePortalT();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: PORTAL_KEYS.me, queryFn: () => api.get<PortalMe>('/api/giving/me') });
  return (
    <Container size="md" px="sm" py="lg">
      <Stack gap="xl">
        <Stack gap={4}>
          <Title order={1} size="h2">
            {t('title')}
          </Title>
          {me.data ? (
            <Text c="dimmed" data-testid="portal-greeting">
              {me.data.donor
                ? t('greeting', { name: me.data.donor.displayName })
                : t('noRecord', { email: me.data.email })}
            </Text>
          ) : null}
          {me.isError ? <ErrorAlert error={me.error} /> : null}
        </Stack>
        <MonthlySection />
        <GiftsSection />
        <PreferencesSection />
        <Group justify="flex-end">
          <Button
            variant="default"
            data-testid="portal-sign-out"
            onClick={async () => {
              await signOut();
              navigate('/', { replace: true });
            }}
          >
            {t('signOut')}
          </Button>
        </Group>
      </Stack>
    </Container>
  );
}

// ── monthly gifts ───────────────────────────────────────────────────────────────────────────────────

function MonthlySection() {
  const { t } = usePortalT();
  const queryClient = useQueryClient();
  const monthly = useQuery({
    queryKey: PORTAL_KEYS.monthly,
    queryFn: () => api.get<{ monthlyGifts: MyMonthlyGift[] }>('/api/giving/me/monthly'),
  });
  const [asking, setAsking] = useState<{ gift: MyMonthlyGift; change: MonthlyChange } | null>(null);
  const [amountFor, setAmountFor] = useState<MyMonthlyGift | null>(null);
  const { money } = useFormats();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: PORTAL_KEYS.monthly }),
      queryClient.invalidateQueries({ queryKey: PORTAL_KEYS.gifts }),
    ]);

  return (
    <Section
      variant="plain"
      testId="portal-monthly"
      headingId="portal-monthly-heading"
      title={t('monthly.title')}
    >
      {monthly.isPending ? (
        <PageLoader />
      ) : monthly.isError ? (
        <ErrorAlert error={monthly.error} />
      ) : monthly.data.monthlyGifts.length === 0 ? (
        <Text data-testid="monthly-none">
          {t('monthly.none')} <Anchor href="/give">{t('monthly.start')}</Anchor>
        </Text>
      ) : (
        <Stack gap="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          {monthly.data.monthlyGifts.map((gift) => (
            <li key={gift.id}>
              <MonthlyCard
                gift={gift}
                onChange={(change) => setAsking({ gift, change })}
                onAmount={() => setAmountFor(gift)}
              />
            </li>
          ))}
        </Stack>
      )}
      {asking ? (
        <ConfirmDialog
          opened
          testId="monthly-confirm"
          color={asking.change === 'cancel' ? 'red' : 'passage'}
          title={t(`confirm.${asking.change}.title`)}
          body={t(`confirm.${asking.change}.body`, {
            amount: money(asking.gift.amountMinor + asking.gift.feeMinor, asking.gift.currency),
          })}
          confirmLabel={t(`confirm.${asking.change}.confirm`)}
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            await api.post(`/api/giving/me/monthly/${asking.gift.id}/${asking.change}`);
            await refresh();
          }}
        />
      ) : null}
      {amountFor ? (
        <AmountDialog gift={amountFor} onClose={() => setAmountFor(null)} onChanged={refresh} />
      ) : null}
    </Section>
  );
}

function MonthlyCard({
  gift,
  onChange,
  onAmount,
}: {
  gift: MyMonthlyGift;
  onChange: (change: MonthlyChange) => void;
  onAmount: () => void;
}) {
  const { t } = usePortalT();
  const { money, day } = useFormats();
  const amount = money(gift.amountMinor + gift.feeMinor, gift.currency);
  const color = { active: 'green', paused: 'yellow', cancelled: 'gray', lapsed: 'red', pending: 'gray' }[
    gift.status
  ];
  return (
    <Paper withBorder p="md" radius="md" data-testid="monthly-gift" data-status={gift.status}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text fw={600} size="lg" data-testid="monthly-amount">
            {t('monthly.amount', { amount })}
          </Text>
          <Badge variant="dot" c="gray.9" color={color} data-testid="monthly-status">
            {t(`status.${gift.status}`)}
          </Badge>
        </Group>
        {gift.fundName ? <Text size="sm">{t('monthly.to', { fund: gift.fundName })}</Text> : null}
        <Text size="sm" c="dimmed">
          {gift.status === 'active'
            ? t('monthly.next', { date: day(gift.nextChargeAt) })
            : gift.status === 'paused'
              ? t('monthly.pausedSince', { date: day(gift.pausedAt) })
              : gift.status === 'cancelled'
                ? t('monthly.cancelledOn', { date: day(gift.cancelledAt) })
                : t('monthly.lapsed')}
        </Text>
        {gift.status === 'active' && gift.failedAttempts > 0 ? (
          <Alert color="yellow" variant="light" c="dark.9" role="status" data-testid="monthly-failing">
            {t('monthly.failing', { date: day(gift.nextChargeAt) })}
          </Alert>
        ) : null}
        <Group gap="xs" wrap="wrap">
          {gift.can.pause ? (
            <Button variant="default" onClick={() => onChange('pause')} data-testid="monthly-pause">
              {t('actions.pause')}
            </Button>
          ) : null}
          {gift.can.resume ? (
            <Button onClick={() => onChange('resume')} data-testid="monthly-resume">
              {t('actions.resume')}
            </Button>
          ) : null}
          {gift.can.changeAmount ? (
            <Button variant="default" onClick={onAmount} data-testid="monthly-change-amount">
              {t('actions.changeAmount')}
            </Button>
          ) : null}
          {gift.can.cancel ? (
            <Button
              variant="subtle"
              color="red"
              onClick={() => onChange('cancel')}
              data-testid="monthly-cancel"
            >
              {t('actions.cancel')}
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Paper>
  );
}

function AmountDialog({
  gift,
  onClose,
  onChanged,
}: {
  gift: MyMonthlyGift;
  onClose: () => void;
  onChanged: () => Promise<unknown>;
}) {
  const { t } = usePortalT();
  const { t: tShell } = useTranslation();
  const { money } = useFormats();
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let amountMinor: bigint;
    try {
      amountMinor = parseAmount(value, gift.currency, { allowZero: false });
    } catch {
      setInvalid(t('amount.invalid', { example: money(gift.amountMinor, gift.currency) }));
      return;
    }
    setInvalid(null);
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/giving/me/monthly/${gift.id}/amount`, { amountMinor: Number(amountMinor) });
      await onChanged();
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('amount.title')}
      closeButtonProps={{ 'aria-label': tShell('shell.close') }}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {error ? <ErrorAlert error={error} /> : null}
          <Text size="sm">{t('amount.body', { amount: money(gift.amountMinor, gift.currency) })}</Text>
          <TextInput
            label={t('amount.label', { currency: gift.currency })}
            inputMode="decimal"
            autoComplete="off"
            required
            value={value}
            error={invalid}
            onChange={(e) => setValue(e.currentTarget.value)}
            data-testid="monthly-amount-input"
          />
          {gift.feeMinor > 0 ? (
            <Text size="xs" c="dimmed">
              {t('amount.fee')}
            </Text>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {tShell('common.cancel')}
            </Button>
            <Button type="submit" loading={busy} data-testid="monthly-amount-submit">
              {t('amount.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ── gifts and receipts ──────────────────────────────────────────────────────────────────────────────

function GiftsSection() {
  const { t } = usePortalT();
  const { money, day } = useFormats();
  const gifts = useQuery({
    queryKey: PORTAL_KEYS.gifts,
    queryFn: () => api.get<{ gifts: MyGift[] }>('/api/giving/me/gifts'),
  });
  return (
    <Section variant="plain" testId="portal-gifts" headingId="portal-gifts-heading" title={t('gifts.title')}>
      {gifts.isPending ? (
        <PageLoader />
      ) : gifts.isError ? (
        <ErrorAlert error={gifts.error} />
      ) : gifts.data.gifts.length === 0 ? (
        <Text data-testid="gifts-none">{t('gifts.none')}</Text>
      ) : (
        // A list rather than a table: it reads on a 360 px phone without sideways scrolling.
        <Stack
          gap="xs"
          component="ul"
          p={0}
          m={0}
          style={{ listStyle: 'none' }}
          aria-label={t('gifts.caption')}
        >
          {gifts.data.gifts.map((g) => (
            <Paper key={g.id} component="li" withBorder p="sm" radius="md" data-testid="my-gift">
              <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
                <Stack gap={2} style={{ flex: '1 1 10rem', minWidth: 0 }}>
                  <Group gap={6} wrap="wrap">
                    <Text fw={600}>{money(g.amountMinor, g.currency)}</Text>
                    {g.monthly ? (
                      <Badge variant="dot" c="gray.9" color="passage" size="sm">
                        {t('gifts.monthly')}
                      </Badge>
                    ) : null}
                    {g.status === 'refunded' || g.refundedMinor > 0 ? (
                      <Badge variant="dot" c="gray.9" color="gray" size="sm">
                        {t('gifts.refunded', { amount: money(g.refundedMinor, g.currency) })}
                      </Badge>
                    ) : null}
                  </Group>
                  <Text size="sm">{day(g.givenOn)}</Text>
                  {g.fundName ? (
                    <Text size="sm" c="dimmed">
                      {t('gifts.to', { fund: g.fundName })}
                    </Text>
                  ) : null}
                </Stack>
                {g.receipt ? (
                  <Button
                    component="a"
                    href={receiptUrl(g.id)}
                    download={`${g.receipt.number}.pdf`}
                    size="xs"
                    variant="light"
                    aria-label={t('gifts.download', { number: g.receipt.number })}
                    data-testid="receipt-download"
                    data-receipt={g.receipt.number}
                  >
                    {t('gifts.receipt', { number: g.receipt.number })}
                  </Button>
                ) : null}
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
    </Section>
  );
}

// ── communication preferences ───────────────────────────────────────────────────────────────────────

function PreferencesSection() {
  const { t } = usePortalT();
  const { day } = useFormats();
  const queryClient = useQueryClient();
  const prefs = useQuery({
    queryKey: PORTAL_KEYS.preferences,
    queryFn: () => api.get<MyPreferences>('/api/giving/me/preferences'),
  });
  const [saving, setSaving] = useState<ConsentChannel | null>(null);
  const [error, setError] = useState<unknown>(null);
  const set = async (channel: ConsentChannel, granted: boolean) => {
    setSaving(channel);
    setError(null);
    try {
      const answer = await api.post<MyPreferences>('/api/giving/me/preferences', { channel, granted });
      queryClient.setQueryData(PORTAL_KEYS.preferences, answer);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(null);
    }
  };
  return (
    <Section
      variant="plain"
      testId="portal-preferences"
      headingId="portal-preferences-heading"
      title={t('prefs.title')}
    >
      <Text size="sm" c="dimmed">
        {t('prefs.intro')}
      </Text>
      {error ? <ErrorAlert error={error} /> : null}
      {prefs.isPending ? (
        <PageLoader />
      ) : prefs.isError ? (
        <ErrorAlert error={prefs.error} />
      ) : !prefs.data.preferences ? (
        <Text data-testid="prefs-none">{t('prefs.none')}</Text>
      ) : (
        <Stack gap="md">
          {CHANNELS.map((channel) => {
            const state = prefs.data.preferences?.[channel];
            return (
              <Switch
                key={channel}
                checked={state?.status === 'granted'}
                disabled={saving !== null}
                onChange={(e) => set(channel, e.currentTarget.checked)}
                label={t(`prefs.${channel}`)}
                description={
                  state?.status === 'unknown' || !state
                    ? t('prefs.unknown')
                    : t(state.status === 'granted' ? 'prefs.grantedOn' : 'prefs.withdrawnOn', {
                        date: day(state.statedAt),
                      })
                }
                data-testid={`pref-${channel}`}
              />
            );
          })}
        </Stack>
      )}
    </Section>
  );
}
