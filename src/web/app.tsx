import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { isApiError } from './api';
import { readStyleNonce, shareStyleNonce } from './csp';
import { createRouter } from './router';
import { SESSION_KEY } from './session';
import { cssVariablesResolver, theme } from './theme';

function createQueryClient(): QueryClient {
  // A 401 anywhere means the session ended (12-hour limit, sign-out elsewhere): forget the account,
  // and the console sends the person to sign in again.
  const onError = (error: unknown) => {
    if (isApiError(error, 401)) client.setQueryData(SESSION_KEY, null);
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // Refusals are answers, not glitches: retry only what may be transient.
        retry: (count, error) =>
          count < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: true,
      },
    },
  });
  return client;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(createRouter);
  const [nonce] = useState(() => shareStyleNonce(readStyleNonce()));
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      getStyleNonce={() => nonce}
      defaultColorScheme="light"
    >
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
