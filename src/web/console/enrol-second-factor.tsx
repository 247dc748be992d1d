import {
  Alert,
  Anchor,
  Button,
  Code,
  CopyButton,
  Divider,
  Group,
  List,
  Paper,
  Stack,
  Stepper,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api';
import { CodeField } from '../components/code-field';
import { ErrorAlert } from '../components/error-alert';
import { PageHeader } from '../components/page-header';
import { PasswordField } from '../components/password-field';
import { RecoveryCodes } from '../components/recovery-codes';
import { useDocumentTitle } from '../components/use-document-title';
import { passkeysSupported, registerPasskey } from '../passkey';
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

/** The otpauth URI as a QR code (an SVG in a data: URL, which the CSP allows for images). */
export function TotpQrCode({ uri }: { uri: string }) {
  const { t } = useTranslation();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('qrcode').then(async (QRCode) => {
      const svg = await QRCode.toString(uri, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
      if (live) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [uri]);
  return src ? (
    <img src={src} alt={t('enrol.qrAlt')} className={classes.qr} data-testid="totp-qr" />
  ) : (
    <div className={classes.qr} aria-hidden="true" />
  );
}

/** Registers a passkey as the second factor instead of an authenticator app. */
function PasskeyOption({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!passkeysSupported()) {
    return (
      <Text size="sm" c="dimmed">
        {t('passkey.unsupported')}
      </Text>
    );
  }
  return (
    <Stack gap="sm" maw={420}>
      {error ? <ErrorAlert error={error} /> : null}
      <TextInput
        label={t('passkey.nameLabel')}
        description={t('passkey.nameHint')}
        value={name}
        maxLength={60}
        onChange={(e) => setName(e.currentTarget.value)}
      />
      <Group>
        <Button
          variant="light"
          loading={busy}
          data-testid="enrol-passkey"
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              await registerPasskey(name.trim() || undefined);
              onDone();
            } catch (e) {
              setError(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('enrol.passkeyButton')}
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Staff must enrol a second factor before any console page opens (SECURITY.md rule 4): an
 * authenticator app (confirm the password, add the key, prove it with a code, keep the recovery codes)
 * or a passkey.
 */
export function EnrolSecondFactorPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState<Enabled | null>(null);
  const [verified, setVerified] = useState(false);
  const [passkeyDone, setPasskeyDone] = useState(false);
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
  const finish = () => void queryClient.invalidateQueries({ queryKey: SESSION_KEY });

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

  if (passkeyDone) {
    return (
      <Stack gap="lg" maw={720} data-testid="enrol-second-factor">
        <Title order={1} size="h2">
          {t('enrol.title')}
        </Title>
        <Alert color="passage" variant="light" role="status" title={t('enrol.passkeyDoneTitle')}>
          {t('enrol.passkeyDoneBody')}
        </Alert>
        <Group>
          <Button onClick={finish} data-testid="enrol-passkey-finish">
            {t('enrol.continueToConsole')}
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="lg" maw={760} data-testid="enrol-second-factor">
      <PageHeader title={t('enrol.title')} intro={t('enrol.intro')} />

      <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }}>
        <Title order={2} size="h4" mb="md">
          {t('enrol.appTitle')}
        </Title>
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
              <Group align="flex-start" gap="lg" wrap="wrap">
                {enabled && <TotpQrCode uri={enabled.totpURI} />}
                <Stack gap={6} miw={0} style={{ flex: '1 1 220px' }}>
                  <Text size="sm" fw={600} id="totp-secret-label">
                    {t('enrol.secretLabel')}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t('enrol.secretHint')}
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
              </Group>
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
              <RecoveryCodes codes={enabled?.backupCodes ?? []} onDone={finish} />
            </Stack>
          </Stepper.Step>
        </Stepper>
      </Paper>

      {active < 2 && (
        <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} data-testid="enrol-passkey-option">
          <Stack gap="sm">
            <Title order={2} size="h4">
              {t('enrol.passkeyTitle')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('enrol.passkeyIntro')}
            </Text>
            <Divider />
            <PasskeyOption onDone={() => setPasskeyDone(true)} />
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
