import { useChat } from '@ai-sdk/react';
import { createStreamingClient } from '@threadcast/client';
import { ThreadcastChatTransport, type ThreadcastUIMessage, threadMessagesToUIMessages } from '@threadcast/client/ai';
import { useEffect, useState } from 'react';

// Same origin: the session cookie carries the user.
const client = createStreamingClient({ url: '/trpc' });

/** Loads the thread's finished messages, then hands it to useChat. */
export function ThreadChat({ threadId }: { threadId: string }) {
  const [messages, setMessages] = useState<ThreadcastUIMessage[] | null>(null);
  useEffect(() => {
    void client.trpc.thread.get
      .query({ threadId })
      .then((detail) => setMessages(threadMessagesToUIMessages(detail.messages)));
  }, [threadId]);
  return messages ? <Chat threadId={threadId} initialMessages={messages} /> : <p>Loading…</p>;
}

function Chat({ threadId, initialMessages }: { threadId: string; initialMessages: ThreadcastUIMessage[] }) {
  const [transport] = useState(() => new ThreadcastChatTransport<ThreadcastUIMessage>({ client, threadId }));
  // resume: after a reload, rejoin the thread's run in progress (replayed once from its start).
  const { messages, sendMessage, status, stop } = useChat<ThreadcastUIMessage>({
    id: threadId,
    messages: initialMessages,
    transport,
    resume: true,
  });
  return (
    <section>
      {messages.map((message) => (
        <p key={message.id}>
          {message.role === 'user' ? 'You: ' : ''}
          {message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('')}
        </p>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const input = event.currentTarget.elements.namedItem('prompt') as HTMLInputElement;
          void sendMessage({ text: input.value });
          input.value = '';
        }}
      >
        <input name="prompt" aria-label="Prompt" />
        <button type="submit" disabled={status !== 'ready'}>
          Send
        </button>
        <button type="button" disabled={status !== 'streaming' && status !== 'submitted'} onClick={() => void stop()}>
          Stop
        </button>
      </form>
    </section>
  );
}
