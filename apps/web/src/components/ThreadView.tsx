import { initialStreamState, type StreamState } from '@threadcast/client';
import { DEFAULT_PROMPT_MAX_CHARS, type ThreadDetail } from '@threadcast/contract';
import { type FormEvent, useEffect, useState } from 'react';
import { useAgentStream } from '../hooks/useAgentStream.ts';
import { trpc } from '../trpc.ts';

const busy = new Set(['queued', 'running']);

/** The stream picks up where `thread.get` left off: at its last event, with the run in progress as far as it got. */
function streamStart(detail: ThreadDetail): StreamState {
  const latest = detail.messages.at(-1);
  const start = { ...initialStreamState, lastEventId: detail.lastEventId };
  if (!latest || !busy.has(latest.state)) return start;
  return { ...start, runId: latest.runId, runState: latest.state, text: latest.text, tokenCount: latest.tokenCount };
}

export function ThreadView({ threadId }: { threadId: string }) {
  const detail = trpc.thread.get.useQuery({ threadId }, { staleTime: Number.POSITIVE_INFINITY });
  if (detail.error) return <p role="alert">{detail.error.message}</p>;
  if (!detail.data) return <p className="hint">Loading…</p>;
  return <LiveThread threadId={threadId} detail={detail.data} />;
}

function LiveThread({ threadId, detail }: { threadId: string; detail: ThreadDetail }) {
  const [start] = useState(() => streamStart(detail));
  const stream = useAgentStream(threadId, { state: start });
  const utils = trpc.useUtils();
  const [prompt, setPrompt] = useState('');
  const startRun = trpc.run.start.useMutation({ onSuccess: () => setPrompt('') });
  const cancel = trpc.run.cancel.useMutation();
  const running = busy.has(stream.runState);
  const canStart = stream.connection === 'live' && !running && !startRun.isPending && prompt.trim().length > 0;

  // A run started or ended: refresh the list of earlier exchanges (the live one is shown from the stream).
  useEffect(() => {
    if (stream.runId && !running) void utils.thread.get.invalidate({ threadId });
  }, [stream.runId, running, threadId, utils]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canStart) startRun.mutate({ threadId, prompt });
  };
  const earlier = detail.messages.filter((message) => message.runId !== stream.runId);
  const current = detail.messages.find((message) => message.runId === stream.runId);

  return (
    <section className="thread">
      {earlier.length > 0 && (
        <ol className="history" aria-label="Earlier messages">
          {earlier.map((message) => (
            <li key={message.runId}>
              <p className="prompt-text">{message.prompt}</p>
              <p className="reply-text" data-run-state={message.state}>
                {message.text}
                {message.state !== 'done' && <em> ({message.reason ?? message.state})</em>}
              </p>
            </li>
          ))}
        </ol>
      )}
      <p className="status" role="status" aria-label="Status">
        Run: <strong data-testid="run-state">{stream.runState}</strong> · Connection:{' '}
        <strong data-testid="connection-state" className={`conn-${stream.connection}`}>
          {stream.connection}
        </strong>
      </p>
      {current && <p className="prompt-text">{current.prompt}</p>}
      <article
        className={running ? 'reply streaming' : 'reply'}
        aria-label="Reply"
        aria-busy={running}
        data-run-state={stream.runState}
        data-complete={stream.complete === null ? undefined : String(stream.complete)}
      >
        {stream.text}
      </article>
      {running && stream.runId && (
        <button
          type="button"
          className="secondary"
          disabled={cancel.isPending}
          onClick={() => stream.runId && cancel.mutate({ runId: stream.runId })}
        >
          Cancel run
        </button>
      )}
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
          <textarea
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            rows={3}
            maxLength={DEFAULT_PROMPT_MAX_CHARS}
          />
        </label>
        <button type="submit" disabled={!canStart}>
          Start run
        </button>
      </form>
      {startRun.error && <p role="alert">{startRun.error.message}</p>}
      {cancel.error && <p role="alert">{cancel.error.message}</p>}
    </section>
  );
}
