import { useThread } from '@threadcast/react';
import { LiveThread } from './LiveThread.tsx';

/** A thread: loaded once, then followed live from where that left off (`useThread`). */
export function ThreadView({ threadId }: { threadId: string }) {
  const chat = useThread(threadId);
  if (!chat.thread && chat.error?.kind === 'load')
    return (
      <p role="alert" className="error page-state">
        Could not load this thread: {chat.error.message}
      </p>
    );
  if (!chat.thread)
    return (
      <p role="status" className="hint page-state">
        Loading the thread…
      </p>
    );
  return <LiveThread chat={chat} threadId={threadId} />;
}
