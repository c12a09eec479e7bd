import { isBusy, useThreads } from '@threadcast/react';

/** The signed-in user's threads, live: another tab or device creating, renaming or running a thread shows here. */
export function ThreadList({ selected, onSelect }: { selected: string | null; onSelect: (threadId: string) => void }) {
  const { threads, create, isCreating, error } = useThreads();
  const createThread = () => {
    create().then(onSelect, () => {
      // The refusal is shown from `error`.
    });
  };
  return (
    <nav className="sidebar" aria-label="Threads">
      <button type="button" onClick={createThread} disabled={isCreating}>
        New thread
      </button>
      {error && <p role="alert">{error.message}</p>}
      <ul>
        {threads?.map((thread) => {
          const busy = thread.runState !== null && isBusy(thread.runState);
          return (
            <li key={thread.threadId}>
              <button
                type="button"
                className={thread.threadId === selected ? 'thread selected' : 'thread'}
                aria-current={thread.threadId === selected ? 'page' : undefined}
                onClick={() => onSelect(thread.threadId)}
              >
                {thread.title} <small>{new Date(thread.createdAt).toLocaleTimeString()}</small>
                {busy && <span className="badge">{thread.runState}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
