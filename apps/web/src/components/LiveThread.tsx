import type { ThreadDetail } from '@threadcast/contract';
import { useEffect, useRef, useState } from 'react';
import { useAgentStream } from '../hooks/useAgentStream.ts';
import { useFollowScroll } from '../hooks/useFollowScroll.ts';
import { isBusy } from '../run-state.ts';
import { streamStart } from '../stream-start.ts';
import { trpc } from '../trpc.ts';
import { Composer } from './Composer.tsx';
import { ConnectionStatus } from './ConnectionStatus.tsx';
import { EarlierMessage } from './EarlierMessage.tsx';
import { MessageParts } from './MessageParts.tsx';
import { PromptBubble } from './PromptBubble.tsx';
import { ReplyMeta } from './ReplyMeta.tsx';

/** The conversation of one thread: earlier exchanges from `thread.get`, the latest run live, and the prompt box. */
export function LiveThread({ threadId, detail }: { threadId: string; detail: ThreadDetail }) {
  const [start] = useState(() => streamStart(detail));
  const stream = useAgentStream(threadId, { state: start });
  const utils = trpc.useUtils();
  const [prompt, setPrompt] = useState('');
  const startRun = trpc.run.start.useMutation({ onSuccess: () => setPrompt('') });
  const cancel = trpc.run.cancel.useMutation();
  const busy = isBusy(stream.runState);
  const canSend = stream.connection === 'live' && !busy && !startRun.isPending && prompt.trim().length > 0;

  const scroller = useRef<HTMLElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const { following, jumpToLatest } = useFollowScroll(scroller, content);

  // A run started or ended: refresh the earlier exchanges and learn the live run's prompt (its reply comes from the stream).
  useEffect(() => {
    if (stream.runId) void utils.thread.get.invalidate({ threadId });
  }, [stream.runId, busy, threadId, utils]);

  const send = () => {
    jumpToLatest();
    startRun.mutate({ threadId, prompt });
  };
  const earlier = detail.messages.filter((message) => message.runId !== stream.runId);
  const current = detail.messages.find((message) => message.runId === stream.runId);
  const pendingPrompt = startRun.isPending ? startRun.variables?.prompt : undefined;
  const livePrompt =
    current?.prompt ??
    (startRun.data?.runId === stream.runId ? startRun.variables?.prompt : undefined) ??
    pendingPrompt;
  const idle = stream.runState === 'idle';

  return (
    <section className="thread-view" aria-label="Thread">
      <ConnectionStatus runState={stream.runState} connection={stream.connection} />
      <div className="conversation-wrap">
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable to scroll by keyboard. */}
        <section className="conversation" ref={scroller} tabIndex={0} aria-label="Conversation">
          <div className="conversation-content" ref={content}>
            {earlier.length === 0 && idle && !pendingPrompt && (
              <p className="empty">No messages yet. Ask something below to start.</p>
            )}
            {earlier.length > 0 && (
              <ol className="history" aria-label="Earlier messages">
                {earlier.map((message) => (
                  <EarlierMessage key={message.runId} message={message} />
                ))}
              </ol>
            )}
            {livePrompt !== undefined && <PromptBubble prompt={livePrompt} />}
            <article
              className={busy ? 'reply live streaming' : 'reply live'}
              aria-label="Reply"
              aria-busy={busy}
              hidden={idle}
              data-run-state={stream.runState}
              data-complete={stream.complete === null ? undefined : String(stream.complete)}
            >
              <MessageParts
                parts={stream.parts}
                live={busy}
                runId={stream.runId ?? undefined}
                textTestId="reply-text"
              />
              {busy && stream.parts.length === 0 && <p className="hint">Thinking…</p>}
              {stream.runState === 'cancelled' && <p className="reply-note">Stopped.</p>}
              <ReplyMeta model={stream.model} usage={stream.usage} finishReason={stream.finishReason} />
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
          </div>
        </section>
        {!following && (
          <button type="button" className="jump" onClick={jumpToLatest}>
            Jump to latest <span aria-hidden="true">↓</span>
          </button>
        )}
      </div>
      <Composer
        prompt={prompt}
        onPromptChange={setPrompt}
        canSend={canSend}
        onSend={send}
        streaming={busy && stream.runId !== null}
        stopping={cancel.isPending}
        onStop={() => stream.runId && cancel.mutate({ runId: stream.runId })}
      />
      {startRun.error && (
        <p role="alert" className="error">
          {startRun.error.message}
        </p>
      )}
      {cancel.error && (
        <p role="alert" className="error">
          {cancel.error.message}
        </p>
      )}
    </section>
  );
}
