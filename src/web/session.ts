import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api } from './api';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: string;
}

export const SESSION_KEY = ['session'] as const;

export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => (await api.get<{ user: SessionUser | null }>('/api/session')).user,
    staleTime: 60_000,
  });
}

export async function signInWithEmail(email: string, password: string): Promise<void> {
  await api.post('/api/auth/sign-in/email', { email, password });
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
