import { skipToken } from '@tanstack/react-query';
import { applyStreamEvent, initialStreamState, type StreamState } from '@threadcast/client';
import { isBusy, type Thread } from '@threadcast/contract';
import { useCallback, useEffect, useState } from 'react';
import { type ChatMessage, chatMessages, type SentPrompt, streamStart } from './chat-message.ts';
import { type ChatStatus, chatStatus } from './chat-status.ts';
import { type ConnectionState, connectionState, errorCode, type NotLive, notLive } from './connection.ts';
import { threadcast } from './threadcast.ts';
import { useOnline } from './use-online.ts';

/** An error `useThread` reports: a refused request (its tRPC code, e.g. `TOO_MANY_REQUESTS`) or a failed run. */
export interface ThreadError {
  message: string;
  /** The tRPC error code, or null for a run that failed on the worker or a network failure. */
  code: string | null;
  /** What failed: a request (`send`, `stop`, `regenerate`), loading the thread, or the run itself. */
  kind: 'request' | 'load' | 'run';
}

export interface UseThreadResult {
  /** The thread's title and creation time, once loaded. */
  thread: Thread | undefined;
  /** Every prompt and reply, oldest first; the run in progress grows live, exactly once. */
  messages: ChatMessage[];
  status: ChatStatus;
  connection: ConnectionState;
  /** Why the stream is not live right now, or null when it is. */
  notLive: NotLive | null;
  error: ThreadError | null;
  /** The thread is loading (nothing to show yet). */
  isLoading: boolean;
  /** Why the stream had to start over from retained history (part of it was trimmed), if it did. */
  reset: string | null;
  /**
   * Starts a run with this prompt and resolves to its id, or to null when it was refused (the reason is in `error`;
   * a run of the thread already in progress is one).
   */
  send: (prompt: string) => Promise<string | null>;
  /** Cancels the run in progress on the worker (not just this view of it). */
  stop: () => Promise<void>;
  /** Runs the last prompt again, as a new run (the thread's history is kept); resolves as `send` does. */
  regenerate: () => Promise<string | null>;
  clearError: () => void;
}

interface LiveState {
  threadId: string;
  /** Where the stream started: fixed once, so later renders never move the subscription. */
  from: string | null;
  stream: StreamState;
}

function asThreadError(error: unknown, kind: ThreadError['kind']): ThreadError {
  return { message: error instanceof Error ? error.message : String(error), code: errorCode(error), kind };
}

/**
 * A thread as a chat: loads it with `thread.get`, then follows it live with `thread.onEvent` from exactly where that
 * left off. After a dropped connection, a reload or a second tab, every token and part shows exactly once; that
 * needs no option. `threadId` null shows nothing.
 */
export function useThread(threadId: string | null): UseThreadResult {
  const utils = threadcast.useUtils();
  const detail = threadcast.thread.get.useQuery(threadId ? { threadId } : skipToken, {
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [live, setLive] = useState<LiveState | null>(null);
  const [sent, setSent] = useState<(SentPrompt & { threadId: string }) | null>(null);
  const [requestError, setRequestError] = useState<ThreadError | null>(null);
  const [dismissedRun, setDismissedRun] = useState<string | null>(null);
  const online = useOnline();

  const loaded = threadId !== null && detail.data?.threadId === threadId ? detail.data : undefined;
  let current = live?.threadId === threadId ? live : null;
  if (current === null && threadId !== null && loaded) {
    const stream = streamStart(loaded);
    current = { threadId, from: stream.lastEventId, stream };
    // The first load of this thread fixes where its stream starts.
    setLive(current);
  }

  const subscription = threadcast.thread.onEvent.useSubscription(
    current && threadId ? { threadId, lastEventId: current.from } : skipToken,
    {
      onData: ({ id, data }) =>
        setLive((previous) =>
          previous && previous.threadId === threadId
            ? { ...previous, stream: applyStreamEvent(previous.stream, id, data) }
            : previous,
        ),
    },
  );

  const stream = current?.stream;
  const runId = stream?.runId ?? null;
  const runState = stream?.runState ?? 'idle';
  const busy = isBusy(runState);
  // A run started or ended: reload the stored exchanges (its prompt, and earlier runs' final parts).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `busy` is the trigger (a run ending), not an input.
  useEffect(() => {
    if (threadId && runId) void utils.thread.get.invalidate({ threadId });
  }, [runId, busy, threadId, utils]);

  const start = threadcast.run.start.useMutation();
  const cancel = threadcast.run.cancel.useMutation();

  const send = useCallback(
    async (prompt: string) => {
      if (!threadId) return null;
      if (busy) {
        setRequestError({
          message: 'a run of this thread is in progress: stop it or wait for it to end',
          code: null,
          kind: 'request',
        });
        return null;
      }
      setRequestError(null);
      setSent({ threadId, prompt, runId: null });
      try {
        const { runId: started } = await start.mutateAsync({ threadId, prompt });
        setSent((previous) => (previous?.prompt === prompt ? { ...previous, runId: started } : previous));
        return started;
      } catch (error) {
        setSent(null);
        setRequestError(asThreadError(error, 'request'));
        return null;
      }
    },
    [threadId, busy, start.mutateAsync],
  );

  const stop = useCallback(async () => {
    if (!runId || !busy) return;
    try {
      await cancel.mutateAsync({ runId });
    } catch (error) {
      setRequestError(asThreadError(error, 'request'));
    }
  }, [runId, busy, cancel.mutateAsync]);

  const messages = chatMessages(loaded, stream ?? initialStreamState, sent?.threadId === threadId ? sent : null);
  const lastPrompt = messages.findLast((message) => message.prompt !== null)?.prompt ?? null;
  const regenerate = useCallback(async () => {
    if (lastPrompt === null) {
      setRequestError({ message: 'nothing to regenerate: the thread has no prompt yet', code: null, kind: 'request' });
      return null;
    }
    return send(lastPrompt);
  }, [lastPrompt, send]);

  const runError =
    runId !== null && runState === 'error' && runId !== dismissedRun
      ? { message: stream?.error ?? 'the run failed', code: null, kind: 'run' as const }
      : null;
  const loadError = detail.error ? asThreadError(detail.error, 'load') : null;
  const error = requestError ?? loadError ?? runError;
  const clearError = useCallback(() => {
    setRequestError(null);
    setDismissedRun(runId);
  }, [runId]);

  const connection = connectionState(subscription.status, (stream?.lastEventId ?? null) !== null);
  const sending = start.isPending;
  return {
    thread: loaded ? { threadId: loaded.threadId, title: loaded.title, createdAt: loaded.createdAt } : undefined,
    messages,
    status: chatStatus({ hasError: error !== null, sending, runState }),
    connection,
    notLive: notLive(connection, subscription.error, online),
    error,
    isLoading: threadId !== null && !loaded && !detail.error,
    reset: stream?.reset ?? null,
    send,
    stop,
    regenerate,
    clearError,
  };
}
