import { type FormEvent, useState } from 'react';
import { useAgentStream } from '../hooks/useAgentStream.ts';
import { trpc } from '../trpc.ts';

const busy = new Set(['queued', 'running']);

export function ThreadView({ threadId }: { threadId: string }) {
  const stream = useAgentStream(threadId);
  const [prompt, setPrompt] = useState('');
  const start = trpc.run.start.useMutation({ onSuccess: () => setPrompt('') });
  const running = busy.has(stream.runState);
  const canStart = stream.connection === 'live' && !running && !start.isPending && prompt.trim().length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canStart) start.mutate({ threadId, prompt });
  };

  return (
    <section className="thread">
      <p className="status" role="status" aria-label="Status">
        Run: <strong data-testid="run-state">{stream.runState}</strong> · Connection:{' '}
        <strong data-testid="connection-state" className={`conn-${stream.connection}`}>
          {stream.connection}
        </strong>
      </p>
      <article
        className={running ? 'reply streaming' : 'reply'}
        aria-label="Reply"
        aria-busy={running}
        data-run-state={stream.runState}
        data-complete={stream.complete === null ? undefined : String(stream.complete)}
      >
        {stream.text}
      </article>
      {stream.reset && (
        <p role="note" className="notice">
          Part of this thread's history is gone ({stream.reset}); showing what is still kept.
        </p>
      )}
      {stream.error && (
        <p role="alert" className="error">
          {stream.error}
        </p>
      )}
      <form className="prompt" onSubmit={submit}>
        <label>
          Prompt
          <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} maxLength={20_000} />
        </label>
        <button type="submit" disabled={!canStart}>
          Start run
        </button>
      </form>
      {start.error && <p role="alert">{start.error.message}</p>}
    </section>
  );
}
