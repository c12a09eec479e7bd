import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ThreadcastProvider } from '@threadcast/react';
import type { ReactNode } from 'react';

const queryClient = new QueryClient();

/**
 * Your own tRPC API and its providers stay as they are; threadcast is a second server, reached on the page's
 * origin through your reverse proxy (`/trpc` to threadcast, your API at its own path), so the cookie is sent.
 */
export function Providers({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={queryClient}>
      {/* your own tRPC provider here, e.g. at /api/trpc */}
      <ThreadcastProvider url="/trpc" queryClient={queryClient}>
        {children}
      </ThreadcastProvider>
    </QueryClientProvider>
  );
}
