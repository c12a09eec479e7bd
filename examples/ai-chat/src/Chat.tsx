import { useChat } from '@ai-sdk/react';
import { ThreadcastChatTransport, type ThreadcastUIMessage } from '@threadcast/client/ai';
import { useState } from 'react';
import { threadcast } from './client.ts';

/** The AI SDK's useChat, unchanged, on a threadcast thread. */
export function Chat({ threadId, initialMessages }: { threadId: string; initialMessages: ThreadcastUIMessage[] }) {
  const [transport] = useState(
    () => new ThreadcastChatTransport<ThreadcastUIMessage>({ client: threadcast, threadId }),
  );
  const { messages, sendMessage, status, stop, error, clearError } = useChat<ThreadcastUIMessage>({
    id: threadId,
    messages: initialMessages,
    transport,
    // After a reload, rejoin the thread's run in progress (replayed once from its start).
    resume: true,
  });
  const [input, setInput] = useState('');
  const busy = status === 'submitted' || status === 'streaming';
  return (
    <section aria-label="Chat">
      <p>
        Status: <output data-testid="status">{status}</output>
      </p>
      <ol aria-label="Messages">
        {messages.map((message) => (
          <li key={message.id} data-role={message.role} data-message-id={message.id}>
            <strong>{message.role === 'user' ? 'You' : 'Agent'}:</strong>{' '}
            {message.parts.map((part, index) => {
              const key = `${message.id}-${index}`;
              if (part.type === 'text')
                return (
                  <span key={key} data-testid={message.role === 'assistant' ? 'reply-text' : undefined}>
                    {part.text}
                  </span>
                );
              if (part.type === 'reasoning') return <details key={key}>{part.text}</details>;
              if (part.type.startsWith('tool-') && 'state' in part)
                return (
                  <small key={key}>
                    {' '}
                    [{part.type.slice('tool-'.length)}: {part.state}]{' '}
                  </small>
                );
              return null;
            })}
          </li>
        ))}
      </ol>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void sendMessage({ text: input });
          setInput('');
        }}
      >
        <label>
          Prompt <input value={input} onChange={(event) => setInput(event.target.value)} />
        </label>
        <button type="submit" disabled={busy || input.trim() === ''}>
          Send
        </button>
        <button type="button" disabled={!busy} onClick={() => void stop()}>
          Stop
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
