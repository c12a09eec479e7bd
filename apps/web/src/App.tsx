import { threadcast } from '@threadcast/react';
import { useEffect, useState } from 'react';
import { SignIn } from './components/SignIn.tsx';
import { ThreadList } from './components/ThreadList.tsx';
import { ThreadView } from './components/ThreadView.tsx';
import { useSession } from './session.ts';

function threadFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get('thread');
}

export function App() {
  const [session, setSession] = useSession();
  const [threadId, setThreadId] = useState<string | null>(threadFromUrl);
  const endSession = threadcast.auth.endSession.useMutation();

  useEffect(() => {
    const url = new URL(window.location.href);
    if (threadId) url.searchParams.set('thread', threadId);
    else url.searchParams.delete('thread');
    window.history.replaceState(null, '', url);
  }, [threadId]);

  if (!session) return <SignIn onSignedIn={setSession} />;

  return (
    <div className="app">
      <header className="topbar">
        <h1>threadcast</h1>
        <span>
          Signed in as <strong>{session.name}</strong>{' '}
          <button
            type="button"
            className="link"
            onClick={() => endSession.mutate(undefined, { onSettled: () => setSession(null) })}
          >
            Sign out
          </button>
        </span>
      </header>
      <ThreadList selected={threadId} onSelect={setThreadId} />
      <main className="main">
        {threadId ? (
          <ThreadView key={threadId} threadId={threadId} />
        ) : (
          <p className="hint">Create or pick a thread.</p>
        )}
      </main>
    </div>
  );
}
