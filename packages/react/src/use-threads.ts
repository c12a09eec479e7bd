import type { RunState, Thread } from '@threadcast/contract';
import { useCallback, useState } from 'react';
import { errorCode } from './connection.ts';
import { threadcast } from './threadcast.ts';
import type { ThreadError } from './use-thread.ts';

export interface ThreadSummary extends Thread {
  /** The state of its latest run, as heard since the list was opened; null if none was heard. */
  runState: RunState | null;
}

export interface UseThreadsResult {
  /** The signed-in user's threads, newest first, once loaded. */
  threads: ThreadSummary[] | undefined;
  isLoading: boolean;
  error: ThreadError | null;
  /** Creates a thread (titled by its first prompt when no title is given) and resolves to its id. */
  create: (title?: string) => Promise<string>;
  isCreating: boolean;
}

/**
 * The signed-in user's threads, live: a thread created, renamed or running in another tab or on another device
 * shows here at once (`thread.onActivity`), and the list is reloaded once that stream is up, so no change between
 * the two is missed.
 */
export function useThreads(): UseThreadsResult {
  const utils = threadcast.useUtils();
  const list = threadcast.thread.list.useQuery();
  const [runStates, setRunStates] = useState<Record<string, RunState>>({});
  threadcast.thread.onActivity.useSubscription(
    {},
    {
      onStarted: () => void utils.thread.list.invalidate(),
      onData: ({ data }) => {
        if (data.kind === 'run') setRunStates((states) => ({ ...states, [data.threadId]: data.state }));
        else void utils.thread.list.invalidate();
      },
    },
  );
  const createThread = threadcast.thread.create.useMutation();
  const create = useCallback(
    async (title?: string) => {
      const { threadId } = await createThread.mutateAsync(title === undefined ? {} : { title });
      await utils.thread.list.invalidate();
      return threadId;
    },
    [createThread.mutateAsync, utils],
  );
  const failure = list.error ?? createThread.error;
  return {
    threads: list.data?.map((thread) => ({ ...thread, runState: runStates[thread.threadId] ?? null })),
    isLoading: list.isLoading,
    error: failure
      ? { message: failure.message, code: errorCode(failure), kind: list.error ? 'load' : 'request' }
      : null,
    create,
    isCreating: createThread.isPending,
  };
}
