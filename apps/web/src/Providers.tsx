import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import type { ThreadcastRouter } from '@threadcast/client';
import { ThreadcastProvider } from '@threadcast/react';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { type ReactNode, useState } from 'react';
import { currentSession, setSession } from './session.ts';

/** A token the server no longer accepts (expired, or a dev server restarted with a new secret): sign in again. */
function signOutWhenUnauthorized(error: unknown): void {
  if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED') setSession(null);
}

const authClient = createTRPCClient<ThreadcastRouter>({ links: [httpBatchLink({ url: '/trpc' })] });

/**
 * A stream was refused because the session expired: sign in again as the same user (dev login; a
 * deployment with its own identity provider would refresh there) and let the stream resume.
 */
async function renewSession(): Promise<boolean> {
  const session = currentSession();
  if (!session) return false;
  try {
    await authClient.auth.devLogin.mutate({ name: session.name });
    return true;
  } catch {
    setSession(null);
    return false;
  }
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
  // No token here: the HttpOnly session cookie carries the user on every request and stream.
  return (
    <ThreadcastProvider
      url="/trpc"
      queryClient={queryClient}
      reconnect={reconnectOptions()}
      onUnauthorized={renewSession}
    >
      {children}
    </ThreadcastProvider>
  );
}
