import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  List,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, api, fieldErrors } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { describeUserAgent, useDateFormat } from '../components/format';
import { PageLoader } from '../components/page-loader';
import { PasswordField } from '../components/password-field';
import { RecoveryCodes } from '../components/recovery-codes';
import { Section } from '../components/section';
import { useDocumentTitle } from '../components/use-document-title';
import { passkeysSupported, registerPasskey } from '../passkey';
import { SESSION_KEY, useSession } from '../session';
import classes from '../shell.module.css';
import { isSteppedUp, MY_SECURITY_KEY, STEP_UP_WINDOW_MS, useMySecurity, useStepUp } from './step-up';

interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

/** The signed-in person's own security: sessions, passkeys, authenticator, API tokens, burn switch. */
export function SecurityPage() {
  const { t } = useTranslation();
  const security = useMySecurity();
  useDocumentTitle(t('security.title'));
  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('security.title')}
        </Title>
        <Text c="dimmed">{t('security.intro')}</Text>
      </Stack>
      {security.isPending ? (
        <PageLoader />
      ) : security.isError ? (
        <ErrorAlert error={security.error} />
      ) : (
        <>
          <SecondFactorSection twoFactorEnabled={security.data.twoFactorEnabled} />
          <PasskeysSection passkeys={security.data.passkeys} />
          <SessionsSection sessions={security.data.sessions} />
          <TokensSection />
          <BurnSection />
        </>
      )}
    </Stack>
  );
}

function SecondFactorSection({ twoFactorEnabled }: { twoFactorEnabled: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const stepUp = useStepUp();
  const formatDate = useDateFormat();
  const [newCodes, setNewCodes] = useState(false);
  const stepUpAt = session.data?.stepUpAt;
  const open = isSteppedUp(stepUpAt);
  return (
    <Section
      title={t('security.factor.title')}
      testId="security-factor"
      variant="roomy"
      headingId="security-factor-title"
    >
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Text fw={600}>{t('security.factor.app')}</Text>
          <Text size="sm" c="dimmed">
            {twoFactorEnabled ? t('security.factor.appOn') : t('security.factor.appOff')}
          </Text>
        </Stack>
        <Group gap="sm">
          <Badge
            color={twoFactorEnabled ? 'green' : 'gray'}
            variant="dot"
            c="gray.9"
            data-testid="totp-status"
          >
            {twoFactorEnabled ? t('security.on') : t('security.off')}
          </Badge>
          {twoFactorEnabled && (
            <Button
              variant="default"
              size="sm"
              onClick={() => setNewCodes(true)}
              data-testid="new-recovery-codes"
            >
              {t('security.factor.newCodes')}
            </Button>
          )}
        </Group>
      </Group>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Text fw={600}>{t('security.stepUp.title')}</Text>
          <Text size="sm" c="dimmed" data-testid="step-up-status">
            {open && stepUpAt
              ? t('security.stepUp.open', {
                  until: formatDate(new Date(new Date(stepUpAt).getTime() + STEP_UP_WINDOW_MS).toISOString()),
                })
              : t('security.stepUp.closed')}
          </Text>
        </Stack>
        <Button
          variant="default"
          size="sm"
          onClick={() => void stepUp({ force: true })}
          data-testid="step-up-open"
        >
          {t('security.stepUp.button')}
        </Button>
      </Group>
      <NewRecoveryCodes opened={newCodes} onClose={() => setNewCodes(false)} />
    </Section>
  );
}

function NewRecoveryCodes({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '' },
    validate: { password: (v) => (v ? null : t('validation.passwordRequired')) },
  });
  const close = () => {
    setCodes(null);
    setError(null);
    form.reset();
    onClose();
  };
  const submit = form.onSubmit(async ({ password }) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<{ backupCodes: string[] }>('/api/auth/two-factor/generate-backup-codes', {
        password,
      });
      setCodes(answer.backupCodes);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  });
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t('security.factor.newCodesTitle')}
      size="lg"
      closeButtonProps={{ 'aria-label': t('shell.close') }}
    >
      {codes ? (
        <Stack gap="md">
          <Text size="sm">{t('security.factor.newCodesShown')}</Text>
          <RecoveryCodes codes={codes} onDone={close} doneLabel={t('common.done')} />
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <Text size="sm">{t('security.factor.newCodesIntro')}</Text>
            {error instanceof ApiError && error.id === 'INVALID_PASSWORD' ? (
              <Alert color="red" variant="light" role="alert">
                {t('enrol.wrongPassword')}
              </Alert>
            ) : error ? (
              <ErrorAlert error={error} />
            ) : null}
            <PasswordField
              label={t('fields.password')}
              autoComplete="current-password"
              required
              data-autofocus
              key={form.key('password')}
              {...form.getInputProps('password')}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={busy} data-testid="new-recovery-codes-submit">
                {t('security.factor.newCodesSubmit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function PasskeysSection({
  passkeys,
}: {
  passkeys: {
    id: string;
    name: string | null;
    deviceType: string;
    backedUp: boolean;
    createdAt: string | null;
  }[];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const [name, setName] = useState('');
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: MY_SECURITY_KEY }),
      queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
    ]);
  return (
    <Section
      title={t('security.passkeys.title')}
      intro={t('security.passkeys.intro')}
      testId="security-passkeys"
      variant="roomy"
      headingId="security-passkeys-title"
    >
      {error ? <ErrorAlert error={error} /> : null}
      {passkeys.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="passkeys-empty">
          {t('security.passkeys.none')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={0}>
          <Table verticalSpacing="xs" data-testid="passkeys-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('security.passkeys.name')}</Table.Th>
                <Table.Th visibleFrom="sm">{t('security.passkeys.kind')}</Table.Th>
                <Table.Th visibleFrom="xs">{t('security.passkeys.added')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {passkeys.map((p) => (
                <Table.Tr key={p.id} data-testid="passkey-row">
                  <Table.Td fw={600}>{p.name || t('security.passkeys.unnamed')}</Table.Td>
                  <Table.Td visibleFrom="sm">
                    {p.backedUp ? t('security.passkeys.synced') : t('security.passkeys.device')}
                  </Table.Td>
                  <Table.Td visibleFrom="xs">{formatDate(p.createdAt)}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      variant="subtle"
                      color="red.9"
                      c="red.9"
                      size="compact-sm"
                      onClick={() => setRemoving(p.id)}
                      aria-label={t('security.passkeys.removeNamed', {
                        name: p.name || t('security.passkeys.unnamed'),
                      })}
                      data-testid="passkey-remove"
                    >
                      {t('security.passkeys.remove')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {passkeysSupported() ? (
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            label={t('passkey.nameLabel')}
            value={name}
            maxLength={60}
            onChange={(e) => setName(e.currentTarget.value)}
            w={{ base: '100%', xs: 260 }}
            data-testid="passkey-name"
          />
          <Button
            loading={adding}
            variant="light"
            data-testid="add-passkey"
            onClick={async () => {
              setAdding(true);
              setError(null);
              try {
                await registerPasskey(name.trim() || undefined);
                setName('');
                await refresh();
              } catch (e) {
                setError(e);
              } finally {
                setAdding(false);
              }
            }}
          >
            {t('security.passkeys.add')}
          </Button>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('passkey.unsupported')}
        </Text>
      )}
      <ConfirmDialog
        opened={removing !== null}
        title={t('security.passkeys.removeTitle')}
        body={t('security.passkeys.removeBody')}
        confirmLabel={t('security.passkeys.remove')}
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          await api.delete(`/api/me/passkeys/${encodeURIComponent(removing ?? '')}`);
          await refresh();
        }}
        testId="passkey-remove-confirm"
      />
    </Section>
  );
}

function SessionsSection({
  sessions,
}: {
  sessions: {
    id: string;
    current: boolean;
    createdAt: string;
    lastActiveAt: string;
    userAgent: string | null;
    ipAddress: string | null;
  }[];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/me/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MY_SECURITY_KEY }),
  });
  const sorted = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));
  return (
    <Section
      title={t('security.sessions.title')}
      intro={t('security.sessions.intro')}
      testId="security-sessions"
      variant="roomy"
      headingId="security-sessions-title"
    >
      {revoke.isError && <ErrorAlert error={revoke.error} />}
      <Table verticalSpacing="xs" data-testid="sessions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('security.sessions.device')}</Table.Th>
            <Table.Th visibleFrom="md">{t('security.sessions.address')}</Table.Th>
            <Table.Th visibleFrom="sm">{t('security.sessions.signedIn')}</Table.Th>
            <Table.Th visibleFrom="xs">{t('security.sessions.lastActive')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((s) => (
            <Table.Tr key={s.id} data-testid="session-row" data-current={s.current}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {describeUserAgent(s.userAgent) ?? t('security.sessions.unknownDevice')}
                </Text>
              </Table.Td>
              <Table.Td visibleFrom="md">{s.ipAddress ?? '—'}</Table.Td>
              <Table.Td visibleFrom="sm">{formatDate(s.createdAt)}</Table.Td>
              <Table.Td visibleFrom="xs">{formatDate(s.lastActiveAt)}</Table.Td>
              <Table.Td ta="right">
                {s.current ? (
                  <Badge color="passage" variant="dot" c="gray.9" data-testid="session-current">
                    {t('security.sessions.current')}
                  </Badge>
                ) : (
                  <Button
                    variant="subtle"
                    color="red.9"
                    c="red.9"
                    size="compact-sm"
                    loading={revoke.isPending && revoke.variables === s.id}
                    onClick={() => revoke.mutate(s.id)}
                    data-testid="session-revoke"
                  >
                    {t('security.sessions.revoke')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function TokensSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const tokens = useQuery({
    queryKey: ['me', 'tokens'],
    queryFn: () => api.get<{ tokens: ApiToken[] }>('/api/me/tokens'),
  });
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { name: '', days: 30 as number | string },
    validate: {
      name: (v) => (v.trim() ? null : t('security.tokens.nameRequired')),
      days: (v) =>
        Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 90
          ? null
          : t('security.tokens.daysRange'),
    },
  });
  const submit = form.onSubmit(async ({ name, days }) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<{ token: string; apiToken: ApiToken }>('/api/me/tokens', {
        name: name.trim(),
        days: Number(days),
      });
      setCreated({ token: answer.token, name: answer.apiToken.name });
      form.reset();
      await queryClient.invalidateQueries({ queryKey: ['me', 'tokens'] });
    } catch (e) {
      const fields = fieldErrors(e, ['name', 'days']);
      if (Object.keys(fields).length) form.setErrors(fields);
      else setError(e);
    } finally {
      setBusy(false);
    }
  });
  const live = (tokens.data?.tokens ?? []).filter((k) => !k.revoked && new Date(k.expiresAt) > new Date());
  return (
    <Section
      title={t('security.tokens.title')}
      intro={t('security.tokens.intro')}
      testId="security-tokens"
      variant="roomy"
      headingId="security-tokens-title"
    >
      {created && (
        <Alert
          color="yellow"
          variant="light"
          title={t('security.tokens.createdTitle', { name: created.name })}
          withCloseButton
          closeButtonLabel={t('shell.close')}
          onClose={() => setCreated(null)}
          data-testid="token-created"
        >
          <Stack gap="xs">
            <Text size="sm">{t('security.tokens.createdBody')}</Text>
            <Group gap="xs" wrap="wrap">
              <Code className={classes.secret} data-testid="token-value">
                {created.token}
              </Code>
              <CopyButton value={created.token}>
                {({ copied, copy }) => (
                  <Button size="compact-sm" variant="default" onClick={copy}>
                    {copied ? t('recovery.copied') : t('security.tokens.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Alert>
      )}
      {error ? <ErrorAlert error={error} /> : null}
      {tokens.isPending ? (
        <PageLoader />
      ) : tokens.isError ? (
        <ErrorAlert error={tokens.error} />
      ) : live.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="tokens-empty">
          {t('security.tokens.none')}
        </Text>
      ) : (
        <Table verticalSpacing="xs" data-testid="tokens-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('security.tokens.name')}</Table.Th>
              <Table.Th visibleFrom="xs">{t('security.tokens.expires')}</Table.Th>
              <Table.Th visibleFrom="sm">{t('security.tokens.lastUsed')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {live.map((k) => (
              <Table.Tr key={k.id} data-testid="token-row">
                <Table.Td fw={600}>{k.name}</Table.Td>
                <Table.Td visibleFrom="xs">{formatDate(k.expiresAt)}</Table.Td>
                <Table.Td visibleFrom="sm">
                  {k.lastUsedAt ? formatDate(k.lastUsedAt) : t('security.tokens.never')}
                </Table.Td>
                <Table.Td ta="right">
                  <Button
                    variant="subtle"
                    color="red.9"
                    c="red.9"
                    size="compact-sm"
                    onClick={() => setRevoking(k)}
                    aria-label={t('security.tokens.revokeNamed', { name: k.name })}
                    data-testid="token-revoke"
                  >
                    {t('security.tokens.revoke')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <form onSubmit={submit} noValidate>
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label={t('security.tokens.name')}
            maxLength={100}
            w={{ base: '100%', xs: 260 }}
            data-testid="token-name"
            key={form.key('name')}
            {...form.getInputProps('name')}
          />
          <NumberInput
            label={t('security.tokens.days')}
            min={1}
            max={90}
            allowDecimal={false}
            w={{ base: '100%', xs: 140 }}
            data-testid="token-days"
            key={form.key('days')}
            {...form.getInputProps('days')}
          />
          <Button
            type="submit"
            loading={busy}
            mt={{ base: 0, xs: 25 }}
            variant="light"
            data-testid="token-create"
          >
            {t('security.tokens.create')}
          </Button>
        </Group>
      </form>
      <ConfirmDialog
        opened={revoking !== null}
        title={t('security.tokens.revokeTitle')}
        body={t('security.tokens.revokeBody', { name: revoking?.name ?? '' })}
        confirmLabel={t('security.tokens.revoke')}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await api.delete(`/api/me/tokens/${encodeURIComponent(revoking?.id ?? '')}`);
          await queryClient.invalidateQueries({ queryKey: ['me', 'tokens'] });
        }}
        testId="token-revoke-confirm"
      />
    </Section>
  );
}

function BurnSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setOpened(false);
    setTyped('');
    setError(null);
  };
  const burn = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/me/burn', { confirm: 'BURN' });
      // Every session is gone on the server; forget everything here too.
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
      navigate('/sign-in?burned=1', { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Section
      title={t('security.burn.title')}
      intro={t('security.burn.intro')}
      testId="security-burn"
      danger
      variant="roomy"
      headingId="security-burn-title"
    >
      <List size="sm" spacing={4}>
        <List.Item>{t('security.burn.what1')}</List.Item>
        <List.Item>{t('security.burn.what2')}</List.Item>
        <List.Item>{t('security.burn.what3')}</List.Item>
        <List.Item>{t('security.burn.what4')}</List.Item>
      </List>
      <Group>
        <Button color="red.9" onClick={() => setOpened(true)} data-testid="burn-open">
          {t('security.burn.button')}
        </Button>
      </Group>
      <Modal
        opened={opened}
        onClose={close}
        title={t('security.burn.confirmTitle')}
        closeButtonProps={{ 'aria-label': t('shell.close') }}
      >
        <Stack gap="md">
          {error ? <ErrorAlert error={error} /> : null}
          <Text size="sm">{t('security.burn.confirmBody')}</Text>
          <TextInput
            label={t('security.burn.typeLabel')}
            description={t('security.burn.typeHint')}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            data-autofocus
            data-testid="burn-confirm-input"
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red.9"
              disabled={typed.trim() !== 'BURN'}
              loading={busy}
              onClick={burn}
              data-testid="burn-submit"
            >
              {t('security.burn.submit')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}
