import { ThreadcastProvider, useThread } from '@threadcast/react';

export const App = ({ threadId }: { threadId: string }) => (
  <ThreadcastProvider url="/trpc">
    <Thread threadId={threadId} />
  </ThreadcastProvider>
);

function Thread({ threadId }: { threadId: string }) {
  const { messages, status, send } = useThread(threadId);
  return (
    <section>
      {messages.map((message) => (
        <p key={message.id}>{message.text}</p>
      ))}
      <button type="button" disabled={status !== 'ready'} onClick={() => void send('Hello!')}>
        Say hello
      </button>
    </section>
  );
}
