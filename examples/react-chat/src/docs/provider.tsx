import { QueryClient } from '@tanstack/react-query';
import { ThreadcastProvider } from '@threadcast/react';
import type { ReactNode } from 'react';

// The app's own TanStack Query client, if it has one: threadcast's hooks and the app's queries then share it.
const queryClient = new QueryClient();

/** Wrap the app once. Same origin, so the session cookie carries the user: no token is passed. */
export function Providers({ children }: { children: ReactNode }) {
  return (
    <ThreadcastProvider url="/trpc" queryClient={queryClient}>
      {children}
    </ThreadcastProvider>
  );
}
