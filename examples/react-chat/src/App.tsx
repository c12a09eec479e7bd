import { threadcast, useThreads } from '@threadcast/react';
import { useState } from 'react';
import { Chat } from './Chat.tsx';

export function App() {
  const session = threadcast.auth.session.useQuery(undefined, { retry: false });
  if (session.isLoading) return <p>Loading…</p>;
  if (!session.data) return <SignIn onSignedIn={() => void session.refetch()} />;
  return <Threads name={session.data.name} />;
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [name, setName] = useState('');
  const login = threadcast.auth.devLogin.useMutation({ onSuccess: onSignedIn });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        login.mutate({ name });
      }}
    >
      <label>
        Name <input value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <button type="submit">Sign in</button>
      {login.error && <p role="alert">{login.error.message}</p>}
    </form>
  );
}

function Threads({ name }: { name: string }) {
  const { threads, create, isCreating, error } = useThreads();
  const [threadId, setThreadId] = useState<string | null>(() => new URLSearchParams(location.search).get('thread'));
  const open = (id: string) => {
    setThreadId(id);
    history.replaceState(null, '', `?thread=${id}`);
  };
  return (
    <div style={{ display: 'flex', gap: '2rem' }}>
      <nav aria-label="Threads">
        <p>Signed in as {name}</p>
        <button type="button" disabled={isCreating} onClick={() => void create().then(open)}>
          New thread
        </button>
        {error && <p role="alert">{error.message}</p>}
        <ul>
          {threads?.map((thread) => (
            <li key={thread.threadId}>
              <button type="button" onClick={() => open(thread.threadId)}>
                {thread.title}
              </button>
              {thread.runState && <small> {thread.runState}</small>}
            </li>
          ))}
        </ul>
      </nav>
      <main>{threadId ? <Chat key={threadId} threadId={threadId} /> : <p>Pick or create a thread.</p>}</main>
    </div>
  );
}
