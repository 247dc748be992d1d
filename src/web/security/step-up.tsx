import { Alert, Button, Divider, Group, Modal, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api';
import { CodeField } from '../components/code-field';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { PasswordField } from '../components/password-field';
import { authenticateWithPasskey, passkeysSupported } from '../passkey';
import { SESSION_KEY, type SessionUser } from '../session';

/** How long a step-up opens sensitive fields (the server's STEP_UP_WINDOW_MS). */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

export const MY_SECURITY_KEY = ['me', 'security'] as const;

export interface MySecurity {
  twoFactorEnabled: boolean;
  secondFactor: boolean;
  stepUpWindowSeconds: number;
  stepUpAt: string | null;
  sessions: {
    id: string;
    current: boolean;
    createdAt: string;
    lastActiveAt: string;
    expiresAt: string;
    userAgent: string | null;
    ipAddress: string | null;
  }[];
  passkeys: {
    id: string;
    name: string | null;
    deviceType: string;
    backedUp: boolean;
    createdAt: string | null;
  }[];
}

export function useMySecurity() {
  return useQuery({
    queryKey: MY_SECURITY_KEY,
    queryFn: () => api.get<MySecurity>('/api/me/security'),
  });
}

/** True while the session's last step-up is inside the window. */
export function isSteppedUp(stepUpAt: string | null | undefined, now = Date.now()): boolean {
  if (!stepUpAt) return false;
  return now - new Date(stepUpAt).getTime() < STEP_UP_WINDOW_MS - 5_000;
}

/**
 * "Confirm it is you": the password and an authenticator code, or a passkey. Marks the session as
 * stepped up for five minutes. A passkey makes a fresh session; the old one is then signed out.
 */
export function StepUpDialog({
  opened,
  onClose,
  onConfirmed,
  reason,
}: {
  opened: boolean;
  onClose: () => void;
  onConfirmed: () => void;
  /** One sentence saying what the confirmation opens, e.g. "to see this traveller's name". */
  reason?: string;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={t('stepUp.title')}
      closeButtonProps={{ 'aria-label': t('shell.close') }}
      data-testid="step-up-dialog"
    >
      {opened && <StepUpForm onConfirmed={onConfirmed} reason={reason} />}
    </Modal>
  );
}

function StepUpForm({ onConfirmed, reason }: { onConfirmed: () => void; reason?: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const security = useMySecurity();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'form' | 'passkey' | null>(null);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '', code: '' },
    validate: {
      password: (v) => (v ? null : t('validation.passwordRequired')),
      code: (v) => (/^\d{6}$/.test(v.replace(/\s+/g, '')) ? null : t('validation.codeSixDigits')),
    },
  });

  const done = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
      queryClient.invalidateQueries({ queryKey: MY_SECURITY_KEY }),
    ]);
    onConfirmed();
  };

  const submit = form.onSubmit(async ({ password, code }) => {
    setBusy('form');
    setError(null);
    try {
      await api.post('/api/me/step-up', { password, code: code.replace(/\s+/g, '') });
      await done();
    } catch (e) {
      setError(e);
      form.setFieldValue('code', '');
    } finally {
      setBusy(null);
    }
  });

  const withPasskey = async () => {
    setBusy('passkey');
    setError(null);
    const me = queryClient.getQueryData<SessionUser | null>(SESSION_KEY);
    const previous = security.data?.sessions.find((s) => s.current)?.id;
    try {
      const { userId } = await authenticateWithPasskey();
      if (me && userId && userId !== me.id) {
        // Another account's passkey: never carry on as someone else.
        await api.post('/api/auth/sign-out', {});
        queryClient.clear();
        window.location.assign('/sign-in');
        return;
      }
      // The passkey made a new, stepped-up session; the one it replaces should not linger.
      if (previous) await api.delete(`/api/me/sessions/${encodeURIComponent(previous)}`).catch(() => {});
      await done();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  if (security.isPending) return <PageLoader />;
  const hasApp = security.data?.twoFactorEnabled ?? true;
  const hasPasskey = (security.data?.passkeys.length ?? 0) > 0 && passkeysSupported();
  const failed = error instanceof ApiError && error.status === 401;

  return (
    <Stack gap="md">
      <Text size="sm">{reason ?? t('stepUp.intro')}</Text>
      {failed ? (
        <Alert color="red" variant="light" role="alert" data-testid="error-alert">
          {t('stepUp.failed')}
        </Alert>
      ) : error ? (
        <ErrorAlert error={error} />
      ) : null}
      {hasApp && (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <PasswordField
              label={t('fields.password')}
              autoComplete="current-password"
              required
              data-autofocus
              data-testid="step-up-password"
              key={form.key('password')}
              {...form.getInputProps('password')}
            />
            <CodeField
              label={t('fields.code')}
              required
              data-testid="step-up-code"
              key={form.key('code')}
              {...form.getInputProps('code')}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={busy === 'form'} data-testid="step-up-submit">
                {t('stepUp.confirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {hasApp && hasPasskey && <Divider label={t('signIn.or')} labelPosition="center" />}
      {hasPasskey && (
        <Button
          variant={hasApp ? 'default' : 'filled'}
          onClick={withPasskey}
          loading={busy === 'passkey'}
          data-testid="step-up-passkey"
        >
          {t('stepUp.withPasskey')}
        </Button>
      )}
    </Stack>
  );
}

export interface StepUpOptions {
  /** One sentence saying what the confirmation opens, shown in the dialog. */
  reason?: string;
  /** Ask even inside the five-minute window (the person asked to confirm). */
  force?: boolean;
}
type StepUp = (options?: StepUpOptions) => Promise<boolean>;
const StepUpContext = createContext<StepUp | null>(null);

/** Holds the one step-up dialog of the console; `useStepUp()` opens it. */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<{ reason?: string } | null>(null);
  const pending = useRef<((ok: boolean) => void) | null>(null);

  const settle = useCallback((ok: boolean) => {
    pending.current?.(ok);
    pending.current = null;
    setState(null);
  }, []);

  const stepUp = useCallback<StepUp>(
    ({ reason, force = false } = {}) => {
      const me = queryClient.getQueryData<SessionUser | null>(SESSION_KEY);
      if (!force && isSteppedUp(me?.stepUpAt)) return Promise.resolve(true);
      pending.current?.(false);
      return new Promise<boolean>((resolve) => {
        pending.current = resolve;
        setState({ reason });
      });
    },
    [queryClient],
  );

  return (
    <StepUpContext.Provider value={stepUp}>
      {children}
      <StepUpDialog
        opened={state !== null}
        reason={state?.reason}
        onClose={() => settle(false)}
        onConfirmed={() => settle(true)}
      />
    </StepUpContext.Provider>
  );
}

/**
 * Call before opening an S4 field or another `stepUp: true` action:
 *
 *   const stepUp = useStepUp();
 *   if (await stepUp({ reason: whyItAsks })) reveal();
 *
 * Resolves true at once when the session stepped up within the last five minutes, otherwise opens the
 * dialog and resolves when the person confirms (true) or closes it (false). The server still refuses
 * with `step_up_required` outside the window, so treat that error by calling it again.
 */
export function useStepUp(): StepUp {
  const stepUp = useContext(StepUpContext);
  if (!stepUp) throw new Error('useStepUp() needs <StepUpProvider> (the console layout provides it)');
  return stepUp;
}
