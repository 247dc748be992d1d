import {
  Alert,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, fieldErrors } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert } from '../components/error-alert';
import { useDateFormat } from '../components/format';
import { PageLoader } from '../components/page-loader';
import { Section } from '../components/section';
import classes from '../shell.module.css';
import { useStepUp } from './step-up';

/** The route prefixes a token may be given (the server's API_TOKEN_SCOPES). */
const SCOPES = ['giving', 'people', 'rescues', 'field', 'admin', 'audit', 'outbox', 'me'] as const;

interface ApiToken {
  id: string;
  name: string;
  access: 'read' | 'write';
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

export function TokensSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const formatDate = useDateFormat();
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [access, setAccess] = useState<'read' | 'write'>('read');
  const [scopes, setScopes] = useState<string[]>([]);
  const stepUp = useStepUp();
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
    setError(null);
    // A token outlives this session: making one needs a fresh step-up, as the server checks.
    const reason = t('security.tokens.stepUpReason');
    if (!(await stepUp({ reason }))) return;
    setBusy(true);
    try {
      const body = { name: name.trim(), days: Number(days), access, scopes };
      const create = () => api.post<{ token: string; apiToken: ApiToken }>('/api/me/tokens', body);
      let answer: Awaited<ReturnType<typeof create>>;
      try {
        answer = await create();
      } catch (e) {
        if (!(e instanceof ApiError && e.id === 'step_up_required')) throw e;
        if (!(await stepUp({ reason, force: true }))) return;
        answer = await create();
      }
      setCreated({ token: answer.token, name: answer.apiToken.name });
      form.reset();
      await queryClient.invalidateQueries({ queryKey: ['me', 'tokens'] });
    } catch (e) {
      const fields = fieldErrors(e, ['name', 'days', 'scopes']);
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
                <Table.Td fw={600}>
                  {k.name}
                  <Text size="xs" c="dimmed" data-testid="token-scopes">
                    {t(`security.tokens.access.${k.access}`)} · {k.scopes.join(', ') || '—'}
                  </Text>
                </Table.Td>
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
          <Stack gap={4}>
            <Text size="sm" fw={500} id="token-access-label">
              {t('security.tokens.accessLabel')}
            </Text>
            <SegmentedControl
              aria-labelledby="token-access-label"
              value={access}
              onChange={(v) => setAccess(v === 'write' ? 'write' : 'read')}
              data={[
                { value: 'read', label: t('security.tokens.access.read') },
                { value: 'write', label: t('security.tokens.access.write') },
              ]}
              data-testid="token-access"
            />
          </Stack>
          <Checkbox.Group
            label={t('security.tokens.scopesLabel')}
            description={t('security.tokens.scopesHelp')}
            value={scopes}
            onChange={setScopes}
            error={form.errors.scopes}
            data-testid="token-scopes-field"
          >
            <Group gap="sm" mt={4} wrap="wrap">
              {SCOPES.map((scope) => (
                <Checkbox key={scope} value={scope} label={scope} data-testid={`token-scope-${scope}`} />
              ))}
            </Group>
          </Checkbox.Group>
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
