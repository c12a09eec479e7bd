import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createLinks, type LinkOptions } from '@threadcast/client';
import { type ReactNode, useState } from 'react';
import { threadcast } from './threadcast.ts';

export interface ThreadcastProviderProps extends LinkOptions {
  /**
   * The app's TanStack Query client, when it has one; otherwise the provider makes its own. Either way the
   * threadcast hooks and the app's own queries below share it.
   */
  queryClient?: QueryClient;
  children: ReactNode;
}

/**
 * Connects the hooks below it to a threadcast server: requests go through tRPC's batch link and every stream
 * over SSE, resuming exactly once after any dropped connection. The options are read once, when it mounts
 * (`getToken` and `onUnauthorized` are called each time they are needed, so they may read current state).
 */
export function ThreadcastProvider({ queryClient, children, ...link }: ThreadcastProviderProps) {
  const [client] = useState(() => threadcast.createClient({ links: createLinks(link) }));
  const [ownQueryClient] = useState(() => queryClient ?? new QueryClient());
  const queries = queryClient ?? ownQueryClient;
  return (
    <threadcast.Provider client={client} queryClient={queries}>
      <QueryClientProvider client={queries}>{children}</QueryClientProvider>
    </threadcast.Provider>
  );
}
