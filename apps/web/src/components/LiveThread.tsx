import { isBusy, runAttributes, type UseThreadResult } from '@threadcast/react';
import { useRef, useState } from 'react';
import { useFollowScroll } from '../hooks/useFollowScroll.ts';
import { Composer } from './Composer.tsx';
import { ConnectionStatus } from './ConnectionStatus.tsx';
import { EarlierMessage } from './EarlierMessage.tsx';
import { MessageParts } from './MessageParts.tsx';
import { PromptBubble } from './PromptBubble.tsx';
import { ReplyMeta } from './ReplyMeta.tsx';

/** Refusals of the stream worth saying (a stream that is only connecting or offline says so in the status line). */
const REFUSALS = new Set(['too-many-requests', 'unauthorized', 'forbidden', 'not-found', 'error']);

/** The conversation of one thread: earlier exchanges, the latest run live, and the prompt box. */
export function LiveThread({ chat, threadId }: { chat: UseThreadResult; threadId: string }) {
  const [prompt, setPrompt] = useState('');
  const [stopping, setStopping] = useState(false);
  const live = chat.messages.find((message) => message.live);
  const pending = chat.messages.find((message) => message.pending);
  const earlier = chat.messages.filter((message) => !message.live && !message.pending);
  const runState = live?.state ?? 'idle';
  const busy = isBusy(runState);
  const canSend = chat.connection === 'live' && !busy && chat.status !== 'submitted' && prompt.trim().length > 0;

  const scroller = useRef<HTMLElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const { following, jumpToLatest } = useFollowScroll(scroller, content);

  const send = () => {
    jumpToLatest();
    void chat.send(prompt).then((runId) => {
      if (runId !== null) setPrompt('');
    });
  };
  const stop = () => {
    setStopping(true);
    void chat.stop().finally(() => setStopping(false));
  };
  const livePrompt = live?.prompt ?? pending?.prompt ?? null;
  const idle = live === undefined;
  const streamProblem = live?.state === 'error' ? live.reason : null;
  const refusal = chat.notLive && REFUSALS.has(chat.notLive.reason) ? chat.notLive.message : null;

  return (
    <section className="thread-view" aria-label="Thread">
      <ConnectionStatus runState={runState} connection={chat.connection} />
      <div className="conversation-wrap">
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable to scroll by keyboard. */}
        <section className="conversation" ref={scroller} tabIndex={0} aria-label="Conversation">
          <div className="conversation-content" ref={content}>
            {earlier.length === 0 && idle && !pending && (
              <p className="empty">No messages yet. Ask something below to start.</p>
            )}
            {earlier.length > 0 && (
              <ol className="history" aria-label="Earlier messages">
                {earlier.map((message) => (
                  <EarlierMessage key={message.id} message={message} threadId={threadId} />
                ))}
              </ol>
            )}
            {livePrompt !== null && <PromptBubble prompt={livePrompt} />}
            <article
              className={busy ? 'reply live streaming' : 'reply live'}
              aria-label="Reply"
              aria-busy={busy}
              hidden={idle}
              data-run-state={runState}
              data-complete={live?.complete == null ? undefined : String(live.complete)}
              {...runAttributes(live, threadId)}
            >
              <MessageParts
                parts={live?.parts ?? []}
                live={busy}
                runId={live?.runId ?? undefined}
                textTestId="reply-text"
              />
              {busy && (live?.parts.length ?? 0) === 0 && <p className="hint">Thinking…</p>}
              {runState === 'cancelled' && <p className="reply-note">Stopped.</p>}
              <ReplyMeta model={live?.model} usage={live?.usage} finishReason={live?.finishReason} />
            </article>
            {chat.reset && (
              <p role="note" className="notice">
                Part of this thread's history is gone ({chat.reset}); showing what is still kept.
              </p>
            )}
            {(streamProblem ?? refusal) && (
              <p role="alert" className="error">
                {streamProblem ?? refusal}
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
        streaming={busy && live?.runId != null}
        stopping={stopping}
        onStop={stop}
      />
      {chat.error?.kind === 'request' && (
        <p role="alert" className="error">
          {chat.error.message}
        </p>
      )}
    </section>
  );
}
