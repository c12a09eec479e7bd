import { type ThreadcastUIMessage, threadMessagesToUIMessages } from '@threadcast/client/ai';
import { useEffect, useState } from 'react';
import { Chat } from './Chat.tsx';
import { threadcast } from './client.ts';

type Loaded = { threadId: string; messages: ThreadcastUIMessage[] };

/** Signs in, opens the thread named in the URL (or a new one), and loads its finished messages for useChat. */
export function App() {
  const [name, setName] = useState('');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [signedIn, setSignedIn] = useState<boolean | null>(null);

  useEffect(() => {
    threadcast.trpc.auth.session.query().then(
      () => setSignedIn(true),
      () => setSignedIn(false),
    );
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    const open = async () => {
      let threadId = new URLSearchParams(location.search).get('thread');
      if (!threadId) {
        threadId = (await threadcast.trpc.thread.create.mutate({})).threadId;
        history.replaceState(null, '', `?thread=${threadId}`);
      }
      const detail = await threadcast.trpc.thread.get.query({ threadId });
      // Finished runs only: `resume: true` replays a run still in progress.
      setLoaded({ threadId, messages: threadMessagesToUIMessages(detail.messages) });
    };
    open().catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  }, [signedIn]);

  if (failure) return <p role="alert">{failure}</p>;
  if (signedIn === false)
    return (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          threadcast.trpc.auth.devLogin.mutate({ name }).then(
            () => setSignedIn(true),
            (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
          );
        }}
      >
        <label>
          Name <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit">Sign in</button>
      </form>
    );
  if (!loaded) return <p>Loading…</p>;
  return <Chat key={loaded.threadId} threadId={loaded.threadId} initialMessages={loaded.messages} />;
}
