import { ApiError, api } from './api';

/**
 * Passkeys (WebAuthn) through better-auth's endpoints. The WebAuthn helper library is loaded only when
 * a passkey is actually used, so the public pages stay light.
 */

function cancelled(error: unknown): ApiError {
  const name = error instanceof Error ? error.name : '';
  if ((error as { code?: string } | null)?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
    return new ApiError(0, 'passkey_exists', '');
  // NotAllowedError is what browsers answer when the person closes the prompt or it times out.
  if (name === 'NotAllowedError' || name === 'AbortError') return new ApiError(0, 'passkey_cancelled', '');
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'passkey_failed', error instanceof Error ? error.message : '');
}

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

/** Registers a passkey for the signed-in account. */
export async function registerPasskey(name?: string): Promise<void> {
  const { startRegistration } = await import('@simplewebauthn/browser');
  const query = name ? `?${new URLSearchParams({ name })}` : '';
  const optionsJSON = await api.get<Parameters<typeof startRegistration>[0]['optionsJSON']>(
    `/api/auth/passkey/generate-register-options${query}`,
  );
  let result: Awaited<ReturnType<typeof startRegistration>>;
  try {
    result = await startRegistration({ optionsJSON });
  } catch (error) {
    throw cancelled(error);
  }
  const { clientExtensionResults: _ignored, ...response } = result;
  await api.post('/api/auth/passkey/verify-registration', { response, ...(name ? { name } : {}) });
}

/**
 * Signs in with a passkey (a new session, marked as stepped up). When an account is already signed in,
 * the browser is offered only that account's passkeys.
 */
export async function authenticateWithPasskey(): Promise<{ userId: string | null }> {
  const { startAuthentication } = await import('@simplewebauthn/browser');
  const optionsJSON = await api.get<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
    '/api/auth/passkey/generate-authenticate-options',
  );
  let result: Awaited<ReturnType<typeof startAuthentication>>;
  try {
    result = await startAuthentication({ optionsJSON });
  } catch (error) {
    throw cancelled(error);
  }
  const { clientExtensionResults: _ignored, ...response } = result;
  const answer = await api.post<{ user?: { id?: string } } | null>(
    '/api/auth/passkey/verify-authentication',
    { response },
  );
  return { userId: answer?.user?.id ?? null };
}
