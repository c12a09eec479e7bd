import type { ThreadcastRouter } from '@threadcast/client';
import { createTRPCReact } from '@trpc/react-query';

/**
 * Typed TanStack Query hooks for every threadcast procedure (`threadcast.thread.rename.useMutation()`,
 * `threadcast.run.get.useQuery(...)`), for what `useThread` and `useThreads` do not cover. They need a
 * `ThreadcastProvider` above them.
 */
export const threadcast = createTRPCReact<ThreadcastRouter>();
