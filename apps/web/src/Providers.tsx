import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createLinks } from '@threadcast/client';
import { TRPCClientError } from '@trpc/client';
import { type ReactNode, useState } from 'react';
import { currentToken, setSession } from './session.ts';
import { trpc } from './trpc.ts';

/** A token the server no longer accepts (expired, or a dev server restarted with a new secret): sign in again. */
function signOutWhenUnauthorized(error: unknown): void {
  if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED') setSession(null);
}

/** Stream reconnect backoff; the longest delay can be set at build time with `VITE_RECONNECT_MAX_MS`. */
function reconnectOptions() {
  const maxDelayMs = Number(import.meta.env.VITE_RECONNECT_MAX_MS);
  return Number.isFinite(maxDelayMs) && maxDelayMs > 0 ? { maxDelayMs } : {};
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: signOutWhenUnauthorized }),
        mutationCache: new MutationCache({ onError: signOutWhenUnauthorized }),
        defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
      }),
  );
  const [trpcClient] = useState(() =>
    trpc.createClient({ links: createLinks({ url: '/trpc', getToken: currentToken, reconnect: reconnectOptions() }) }),
  );
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
