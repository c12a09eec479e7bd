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
  // A session cookie this page did not make (another tab's sign-in, a test that signed in through the API) is
  // still a session: asked for once, until the user signs out here.
  const [signedOut, setSignedOut] = useState(false);
  const existing = threadcast.auth.session.useQuery(undefined, {
    enabled: session === null && !signedOut,
    retry: false,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    if (session === null && !signedOut && existing.data)
      setSession({ name: existing.data.name, userId: existing.data.userId });
  }, [session, signedOut, existing.data, setSession]);

  useEffect(() => {
    const url = new URL(window.location.href);
    if (threadId) url.searchParams.set('thread', threadId);
    else url.searchParams.delete('thread');
    window.history.replaceState(null, '', url);
  }, [threadId]);

  if (!session) {
    if (!signedOut && existing.isPending)
      return (
        <p role="status" className="hint page-state">
          Loading…
        </p>
      );
    return <SignIn onSignedIn={setSession} />;
  }

  return (
    <div className="app">
      <header className="topbar">
        <h1>threadcast</h1>
        <span>
          Signed in as <strong>{session.name}</strong>{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              setSignedOut(true);
              endSession.mutate(undefined, { onSettled: () => setSession(null) });
            }}
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
