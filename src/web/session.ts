import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api } from './api';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: string;
  /** A staff role: the console is for them. */
  staff?: boolean;
  /** An authenticator app or a passkey is enrolled; staff must have one before anything else opens. */
  secondFactor?: boolean;
  stepUpAt?: string | null;
}

export const SESSION_KEY = ['session'] as const;

export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => (await api.get<{ user: SessionUser | null }>('/api/session')).user,
    staleTime: 60_000,
  });
}

/** 'signed-in', or 'second-factor' when the account has an authenticator app and the code comes next. */
export async function signInWithEmail(
  email: string,
  password: string,
): Promise<'signed-in' | 'second-factor'> {
  const answer = await api.post<{ twoFactorRedirect?: boolean } | null>('/api/auth/sign-in/email', {
    email,
    password,
  });
  return answer?.twoFactorRedirect ? 'second-factor' : 'signed-in';
}

/** Finishes a sign-in (or an enrolment) with the authenticator app's code, or with a backup code. */
export async function verifySecondFactor(code: string, kind: 'totp' | 'backup' = 'totp'): Promise<void> {
  const url =
    kind === 'totp' ? '/api/auth/two-factor/verify-totp' : '/api/auth/two-factor/verify-backup-code';
  await api.post(url, { code: code.replace(/\s+/g, '') });
}

/** Signs out and forgets every cached answer, so nothing of the account stays in memory. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useCallback(async () => {
    try {
      await api.post('/api/auth/sign-out', {});
    } finally {
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
    }
  }, [queryClient]);
}

/** A path inside Passage to return to after signing in; anything else falls back to the console. */
export function safeNextPath(next: string | null): string {
  if (next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')) return next;
  return '/console';
}
