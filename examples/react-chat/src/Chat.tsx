import { type ChatMessage, connectionAttributes, partAttributes, runAttributes, useThread } from '@threadcast/react';
import { useState } from 'react';

export function Chat({ threadId }: { threadId: string }) {
  const { thread, messages, status, connection, notLive, error, send, stop, regenerate, clearError } =
    useThread(threadId);
  const [prompt, setPrompt] = useState('');
  if (!thread) return <p>{error ? error.message : 'Loading…'}</p>;
  const busy = status === 'submitted' || status === 'streaming' || status === 'waiting';
  return (
    <section aria-label="Chat">
      <h2>{thread.title}</h2>
      <p>
        Status: <output data-testid="status">{status}</output> · Connection:{' '}
        <output data-testid="connection" {...connectionAttributes(connection)}>
          {connection}
        </output>
        {notLive && <span> ({notLive.reason})</span>}
      </p>
      <ol aria-label="Messages">
        {messages.map((message) => (
          <Message key={message.id} message={message} threadId={threadId} />
        ))}
      </ol>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send(prompt).then((runId) => {
            if (runId) setPrompt('');
          });
        }}
      >
        <label>
          Prompt <input value={prompt} onChange={(event) => setPrompt(event.target.value)} />
        </label>
        <button type="submit" disabled={busy || connection !== 'live' || prompt.trim() === ''}>
          Send
        </button>
        <button type="button" disabled={!busy} onClick={() => void stop()}>
          Stop
        </button>
        <button type="button" disabled={busy || messages.length === 0} onClick={() => void regenerate()}>
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

// The `...Attributes` spreads are the test hooks @threadcast/playwright's matchers read (docs/testing.md).
function Message({ message, threadId }: { message: ChatMessage; threadId: string }) {
  return (
    <li data-run-id={message.runId ?? undefined} data-state={message.state} {...runAttributes(message, threadId)}>
      {message.prompt !== null && <p>You: {message.prompt}</p>}
      {message.parts.map((part, index) => {
        const key = `${part.type}-${index}`;
        switch (part.type) {
          case 'text':
            return (
              <p key={key} data-testid="reply-text" {...partAttributes(part)}>
                {part.text}
              </p>
            );
          case 'reasoning':
            return (
              <details key={key} {...partAttributes(part)}>
                {part.text}
              </details>
            );
          case 'tool':
            return (
              <p key={key} {...partAttributes(part)}>
                Tool {part.toolName}: {part.state}
              </p>
            );
          default:
            return null;
        }
      })}
      {message.state === 'error' && <p role="alert">{message.reason}</p>}
    </li>
  );
}
