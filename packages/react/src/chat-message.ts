import { initialStreamState, type StreamState } from '@threadcast/client';
import {
  type FinishReason,
  isBusy,
  type MessagePart,
  type RunState,
  type ThreadDetail,
  type ThreadMessage,
  type Usage,
} from '@threadcast/contract';

/** One prompt and its reply, as `useThread` shows it. */
export interface ChatMessage {
  /** The run's id; `pending` while `send` waits for the server to accept the prompt. */
  id: string;
  runId: string | null;
  /** What was asked; null for a run started elsewhere (another tab) until the thread is reloaded. */
  prompt: string | null;
  state: RunState;
  /** The reply's text so far (its full text once done). */
  text: string;
  /** The reply as parts: text, reasoning, tool calls, steps, sources, data. */
  parts: MessagePart[];
  tokenCount: number;
  deltaCount: number;
  usage: Usage | null;
  model: string | null;
  finishReason: FinishReason | null;
  /** Why the run failed or was cancelled. */
  reason: string | null;
  createdAt: number | null;
  /** For the live run, once done: whether every token and part arrived exactly once; else null. */
  complete: boolean | null;
  /** The run the stream follows (at most one message): its reply grows as events arrive. */
  live: boolean;
  /** Sent, and its run not yet announced by the stream (`runId` is null until the server accepts it). */
  pending: boolean;
}

/** A prompt `send` has sent: its run id once the server answered. */
export interface SentPrompt {
  prompt: string;
  runId: string | null;
}

/**
 * One view per stored message object: TanStack Query keeps unchanged messages identical across reloads, so an
 * exchange that did not change keeps its identity and a memoized row of it does not render again.
 */
const views = new WeakMap<ThreadMessage, ChatMessage>();

function earlierMessage(message: ThreadMessage): ChatMessage {
  let view = views.get(message);
  if (!view) {
    view = toChatMessage(message);
    views.set(message, view);
  }
  return view;
}

function toChatMessage(message: ThreadMessage): ChatMessage {
  return {
    id: message.runId,
    runId: message.runId,
    prompt: message.prompt,
    state: message.state,
    text: message.text,
    // A reply stored before parts existed has its text only.
    parts: message.parts.length > 0 || message.text === '' ? message.parts : [{ type: 'text', text: message.text }],
    tokenCount: message.tokenCount,
    deltaCount: message.deltaCount,
    usage: message.usage ?? null,
    model: message.model ?? null,
    finishReason: message.finishReason ?? null,
    reason: message.reason ?? null,
    createdAt: message.createdAt,
    complete: null,
    live: false,
    pending: false,
  };
}

function liveMessage(
  stream: StreamState & { runId: string },
  stored: ThreadMessage | undefined,
  sent: SentPrompt | null,
) {
  return {
    id: stream.runId,
    runId: stream.runId,
    prompt: stored?.prompt ?? (sent?.runId === stream.runId ? sent.prompt : null),
    state: stream.runState === 'idle' ? 'queued' : stream.runState,
    text: stream.text,
    parts: stream.parts,
    tokenCount: stream.tokenCount,
    deltaCount: stream.deltaCount,
    usage: stream.usage,
    model: stream.model,
    finishReason: stream.finishReason,
    reason: stream.error ?? stored?.reason ?? null,
    createdAt: stored?.createdAt ?? null,
    complete: stream.complete,
    live: true,
    pending: false,
  } satisfies ChatMessage;
}

/**
 * The conversation: the thread's stored exchanges, the run the stream follows (its reply from the stream, which
 * holds every event exactly once), and a prompt that was sent but whose run the stream has not announced yet.
 */
export function chatMessages(
  detail: ThreadDetail | undefined,
  stream: StreamState,
  sent: SentPrompt | null,
): ChatMessage[] {
  const stored = detail?.messages ?? [];
  const liveRunId = stream.runId;
  const messages = stored.filter((message) => message.runId !== liveRunId).map(earlierMessage);
  if (liveRunId !== null) {
    const storedLive = stored.find((message) => message.runId === liveRunId);
    messages.push(liveMessage({ ...stream, runId: liveRunId }, storedLive, sent));
  }
  const announced = sent?.runId != null && messages.some((message) => message.runId === sent.runId);
  if (sent && !announced) {
    messages.push({
      ...toChatMessage({
        runId: sent.runId ?? 'pending',
        prompt: sent.prompt,
        state: 'queued',
        text: '',
        tokenCount: 0,
        parts: [],
        deltaCount: 0,
        createdAt: 0,
      }),
      runId: sent.runId,
      createdAt: null,
      pending: true,
    });
  }
  return messages;
}

/** Where the stream picks up from `thread.get`: at its last event, with the run in progress as far as it got. */
export function streamStart(detail: ThreadDetail): StreamState {
  const latest = detail.messages.at(-1);
  const start = { ...initialStreamState, lastEventId: detail.lastEventId };
  if (!latest || !isBusy(latest.state)) return start;
  return {
    ...start,
    runId: latest.runId,
    runState: latest.state,
    text: latest.text,
    tokenCount: latest.tokenCount,
    parts: latest.parts,
    deltaCount: latest.deltaCount,
  };
}
