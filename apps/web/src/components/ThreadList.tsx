import { trpc } from '../trpc.ts';

export function ThreadList({ selected, onSelect }: { selected: string | null; onSelect: (threadId: string) => void }) {
  const utils = trpc.useUtils();
  const threads = trpc.thread.list.useQuery();
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
        {threads.data?.map((thread) => (
          <li key={thread.threadId}>
            <button
              type="button"
              className={thread.threadId === selected ? 'thread selected' : 'thread'}
              aria-current={thread.threadId === selected ? 'page' : undefined}
              onClick={() => onSelect(thread.threadId)}
            >
              {thread.title} <small>{new Date(thread.createdAt).toLocaleTimeString()}</small>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
