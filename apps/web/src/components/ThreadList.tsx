import type { RunState } from '@threadcast/contract';
import { useState } from 'react';
import { isBusy } from '../run-state.ts';
import { trpc } from '../trpc.ts';

/** The signed-in user's threads, live: another tab or device creating, renaming or running a thread shows here. */
export function ThreadList({ selected, onSelect }: { selected: string | null; onSelect: (threadId: string) => void }) {
  const utils = trpc.useUtils();
  const threads = trpc.thread.list.useQuery();
  const [runStates, setRunStates] = useState<Record<string, RunState>>({});
  trpc.thread.onActivity.useSubscription(
    {},
    {
      // Loaded once the stream is live, so no change between the two is missed.
      onStarted: () => void utils.thread.list.invalidate(),
      onData: ({ data }) => {
        if (data.kind === 'run') setRunStates((states) => ({ ...states, [data.threadId]: data.state }));
        else void utils.thread.list.invalidate();
      },
    },
  );
  const create = trpc.thread.create.useMutation({
    onSuccess: async ({ threadId }) => {
      await utils.thread.list.invalidate();
      onSelect(threadId);
    },
  });
  return (
    <nav className="sidebar" aria-label="Threads">
      <button type="button" onClick={() => create.mutate({})} disabled={create.isPending}>
        New thread
      </button>
      {create.error && <p role="alert">{create.error.message}</p>}
      <ul>
        {threads.data?.map((thread) => {
          const state = runStates[thread.threadId];
          const busy = state !== undefined && isBusy(state);
          return (
            <li key={thread.threadId}>
              <button
                type="button"
                className={thread.threadId === selected ? 'thread selected' : 'thread'}
                aria-current={thread.threadId === selected ? 'page' : undefined}
                onClick={() => onSelect(thread.threadId)}
              >
                {thread.title} <small>{new Date(thread.createdAt).toLocaleTimeString()}</small>
                {busy && <span className="badge">{state}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
