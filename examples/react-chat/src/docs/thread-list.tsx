import { useThreads } from '@threadcast/react';

export function ThreadList({ onOpen }: { onOpen: (threadId: string) => void }) {
  const { threads, isLoading, error, create, isCreating } = useThreads();
  if (isLoading) return <p>Loading…</p>;
  return (
    <nav aria-label="Threads">
      <button type="button" disabled={isCreating} onClick={() => void create().then(onOpen)}>
        New thread
      </button>
      {error && <p role="alert">{error.message}</p>}
      <ul>
        {threads?.map((thread) => (
          <li key={thread.threadId}>
            <button type="button" onClick={() => onOpen(thread.threadId)}>
              {thread.title}
            </button>
            {thread.runState && <small> {thread.runState}</small>}
          </li>
        ))}
      </ul>
    </nav>
  );
}
