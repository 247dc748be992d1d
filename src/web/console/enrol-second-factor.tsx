import {
  Alert,
  Anchor,
  Button,
  Code,
  CopyButton,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Stepper,
  Text,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api';
import { CodeField } from '../components/code-field';
import { ErrorAlert } from '../components/error-alert';
import { PasswordField } from '../components/password-field';
import { useDocumentTitle } from '../components/use-document-title';
import { SESSION_KEY, verifySecondFactor } from '../session';
import classes from '../shell.module.css';

interface Enabled {
  totpURI: string;
  backupCodes: string[];
}

/** The base32 secret in groups of four, easier to type into an app by hand. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * Staff must enrol a second factor before any console page opens (SECURITY.md rule 4). This walks
 * through an authenticator app: confirm the password, add the key to the app, prove it with a code,
 * then keep the backup codes.
 */
export function EnrolSecondFactorPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState<Enabled | null>(null);
  const [verified, setVerified] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useDocumentTitle(t('enrol.title'));

  const passwordForm = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '' },
    validate: { password: (v) => (v ? null : t('validation.passwordRequired')) },
  });
  const codeForm = useForm({
    mode: 'uncontrolled',
    initialValues: { code: '' },
    validate: { code: (v) => (/^\d{6}$/.test(v.replace(/\s+/g, '')) ? null : t('validation.codeSixDigits')) },
  });

  const secret = enabled ? (new URL(enabled.totpURI).searchParams.get('secret') ?? '') : '';
  const active = verified ? 2 : enabled ? 1 : 0;

  const start = passwordForm.onSubmit(async ({ password }) => {
    setBusy(true);
    setError(null);
    try {
      setEnabled(await api.post<Enabled>('/api/auth/two-factor/enable', { password }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  });

  const confirm = codeForm.onSubmit(async ({ code }) => {
    setBusy(true);
    setError(null);
    try {
      await verifySecondFactor(code);
      setVerified(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  });

  const wrongPassword = error instanceof ApiError && error.id === 'INVALID_PASSWORD';
  const wrongCode = error instanceof ApiError && /INVALID.*CODE/.test(error.id);

  return (
    <Stack gap="lg" maw={720} data-testid="enrol-second-factor">
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('enrol.title')}
        </Title>
        <Text c="dimmed">{t('enrol.intro')}</Text>
      </Stack>

      <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }}>
        <Stepper active={active} size="sm" allowNextStepsSelect={false} orientation="vertical">
          <Stepper.Step label={t('enrol.step1')} description={t('enrol.step1Hint')}>
            <form onSubmit={start} noValidate>
              <Stack gap="md" maw={420}>
                {wrongPassword ? (
                  <Alert color="red" variant="light" role="alert" data-testid="error-alert">
                    {t('enrol.wrongPassword')}
                  </Alert>
                ) : error ? (
                  <ErrorAlert error={error} />
                ) : null}
                <PasswordField
                  label={t('fields.password')}
                  autoComplete="current-password"
                  required
                  key={passwordForm.key('password')}
                  {...passwordForm.getInputProps('password')}
                />
                <Group>
                  <Button type="submit" loading={busy} data-testid="enrol-start">
                    {t('enrol.continue')}
                  </Button>
                </Group>
              </Stack>
            </form>
          </Stepper.Step>

          <Stepper.Step label={t('enrol.step2')} description={t('enrol.step2Hint')}>
            <Stack gap="md">
              <List size="sm" spacing={4} type="ordered">
                <List.Item>{t('enrol.openApp')}</List.Item>
                <List.Item>{t('enrol.addKey')}</List.Item>
              </List>
              <Stack gap={6}>
                <Text size="sm" fw={600} id="totp-secret-label">
                  {t('enrol.secretLabel')}
                </Text>
                <Group gap="sm" wrap="wrap">
                  <Code
                    fz="md"
                    p="xs"
                    className={classes.secret}
                    aria-labelledby="totp-secret-label"
                    data-testid="totp-secret"
                    data-secret={secret}
                  >
                    {grouped(secret)}
                  </Code>
                  <CopyButton value={secret}>
                    {({ copied, copy }) => (
                      <Button variant="default" size="compact-sm" onClick={copy}>
                        {copied ? t('enrol.copied') : t('enrol.copy')}
                      </Button>
                    )}
                  </CopyButton>
                </Group>
                {enabled && (
                  <Anchor href={enabled.totpURI} size="sm">
                    {t('enrol.openInApp')}
                  </Anchor>
                )}
              </Stack>
              <form onSubmit={confirm} noValidate>
                <Stack gap="md" maw={420}>
                  {wrongCode ? (
                    <Alert color="red" variant="light" role="alert" data-testid="error-alert">
                      {t('signIn.wrongCode')}
                    </Alert>
                  ) : error ? (
                    <ErrorAlert error={error} />
                  ) : null}
                  <CodeField
                    label={t('fields.code')}
                    description={t('enrol.codeHint')}
                    required
                    key={codeForm.key('code')}
                    {...codeForm.getInputProps('code')}
                  />
                  <Group>
                    <Button type="submit" loading={busy} data-testid="enrol-verify">
                      {t('enrol.verify')}
                    </Button>
                  </Group>
                </Stack>
              </form>
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={t('enrol.step3')} description={t('enrol.step3Hint')}>
            <Stack gap="md">
              <Alert color="passage" variant="light" role="status" title={t('enrol.doneTitle')}>
                {t('enrol.doneBody')}
              </Alert>
              <Text size="sm">{t('enrol.backupIntro')}</Text>
              <SimpleGrid
                cols={{ base: 1, xs: 2 }}
                spacing="xs"
                component="ul"
                m={0}
                p={0}
                data-testid="backup-codes"
              >
                {(enabled?.backupCodes ?? []).map((c) => (
                  <Code key={c} component="li" fz="sm" p="xs" style={{ listStyle: 'none' }}>
                    {c}
                  </Code>
                ))}
              </SimpleGrid>
              <Group>
                <CopyButton value={(enabled?.backupCodes ?? []).join('\n')}>
                  {({ copied, copy }) => (
                    <Button variant="default" onClick={copy}>
                      {copied ? t('enrol.copied') : t('enrol.copyCodes')}
                    </Button>
                  )}
                </CopyButton>
                <Button
                  data-testid="enrol-finish"
                  onClick={() => void queryClient.invalidateQueries({ queryKey: SESSION_KEY })}
                >
                  {t('enrol.finish')}
                </Button>
              </Group>
            </Stack>
          </Stepper.Step>
        </Stepper>
      </Paper>
    </Stack>
  );
}
