import { skipToken } from '@tanstack/react-query';
import { applyStreamEvent, initialStreamState, type StreamState } from '@threadcast/client';
import type { FinishReason, MessagePart, RunState, Usage } from '@threadcast/contract';
import { useState } from 'react';
import { trpc } from '../trpc.ts';

/**
 * Where to start: `state` as rendered from `thread.get` (its `lastEventId` is where the stream resumes).
 * Without it the stream starts at the thread's latest run. Read once, when the hook mounts.
 */
export interface StreamStart {
  state?: StreamState;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface AgentStream {
  /** The latest run's reply so far (its full text once done). */
  text: string;
  /** The same reply as parts: text, reasoning, tool calls, steps, sources, data. */
  parts: MessagePart[];
  /** Delta events folded into `parts`. */
  deltaCount: number;
  /** What the provider reported once the run was done, when it did. */
  usage: Usage | null;
  model: string | null;
  finishReason: FinishReason | null;
  runId: string | null;
  runState: RunState | 'idle';
  connection: ConnectionState;
  /** The run's error, or why the stream failed. */
  error: string | null;
  /** Once done: whether every token arrived exactly once. */
  complete: boolean | null;
  /** Why the stream had to start over from retained history (its history was trimmed or lost), if it did. */
  reset: string | null;
  lastEventId: string | null;
}

/**
 * Follows a thread live over SSE: the reply grows token by token and part by part, the run state and
 * connection state update, and after a dropped connection the link reconnects with backoff and resumes from
 * the last event id, while the reducer drops anything already shown. The stream closes when the component unmounts or `threadId` changes.
 */
export function useAgentStream(threadId: string | null, from?: StreamStart): AgentStream {
  const start = from?.state ?? initialStreamState;
  const [stream, setStream] = useState<{ threadId: string | null; state: StreamState }>({ threadId, state: start });
  const state = stream.threadId === threadId ? stream.state : start;

  // The starting point is taken once: later renders must not move the subscription.
  const [lastEventId] = useState(() => from?.state?.lastEventId ?? null);
  const input = threadId ? { threadId, lastEventId } : skipToken;
  const subscription = trpc.thread.onEvent.useSubscription(input, {
    onData: ({ id, data }) => {
      setStream((previous) => {
        const base = previous.threadId === threadId ? previous.state : start;
        return { threadId, state: applyStreamEvent(base, id, data) };
      });
    },
  });

  return {
    text: state.text,
    parts: state.parts,
    deltaCount: state.deltaCount,
    usage: state.usage,
    model: state.model,
    finishReason: state.finishReason,
    runId: state.runId,
    runState: state.runState,
    connection: connectionState(subscription.status, state.lastEventId !== null),
    error: state.error ?? subscription.error?.message ?? null,
    complete: state.complete,
    reset: state.reset,
    lastEventId: state.lastEventId,
  };
}

function connectionState(status: 'idle' | 'connecting' | 'pending' | 'error', hadData: boolean): ConnectionState {
  switch (status) {
    case 'pending':
      return 'live';
    case 'connecting':
      return hadData ? 'reconnecting' : 'connecting';
    default:
      return 'offline';
  }
}
