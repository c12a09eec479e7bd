import { useThread } from '@threadcast/react';
import { useState } from 'react';

export function ThreadView({ threadId }: { threadId: string }) {
  const { thread, messages, status, error, send, stop, regenerate, clearError } = useThread(threadId);
  const [prompt, setPrompt] = useState('');
  if (!thread) return <p>{error ? error.message : 'Loading…'}</p>;
  const busy = status === 'submitted' || status === 'streaming' || status === 'waiting';
  return (
    <section aria-label={thread.title}>
      {messages.map((message) => (
        <article key={message.id} data-state={message.state}>
          {message.prompt !== null && <p>You: {message.prompt}</p>}
          <p>{message.text}</p>
        </article>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send(prompt).then((runId) => runId && setPrompt(''));
        }}
      >
        <input aria-label="Prompt" value={prompt} onChange={(event) => setPrompt(event.target.value)} />
        <button type="submit" disabled={busy}>
          Send
        </button>
        <button type="button" disabled={!busy} onClick={() => void stop()}>
          Stop
        </button>
        <button type="button" disabled={busy} onClick={() => void regenerate()}>
          Regenerate
        </button>
      </form>
      {error && (
        <p role="alert">
          {error.message}{' '}
          <button type="button" onClick={clearError}>
            Dismiss
          </button>
        </p>
      )}
    </section>
  );
}
