import { trpc } from '../trpc.ts';
import { LiveThread } from './LiveThread.tsx';

/** A thread: loaded once with `thread.get`, then followed live from where that left off. */
export function ThreadView({ threadId }: { threadId: string }) {
  const detail = trpc.thread.get.useQuery({ threadId }, { staleTime: Number.POSITIVE_INFINITY });
  if (detail.error)
    return (
      <p role="alert" className="error page-state">
        Could not load this thread: {detail.error.message}
      </p>
    );
  if (!detail.data)
    return (
      <p role="status" className="hint page-state">
        Loading the thread…
      </p>
    );
  return <LiveThread threadId={threadId} detail={detail.data} />;
}
