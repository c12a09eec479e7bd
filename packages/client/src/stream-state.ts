import {
  applyMessageEvent,
  type FinishReason,
  isAtOrBefore,
  type MessagePart,
  messageText,
  type RunState,
  type StreamEvent,
  type Usage,
} from '@threadcast/contract';

/** What a viewer of a thread knows after the events it has seen: the latest run and its reply so far. */
export interface StreamState {
  runId: string | null;
  /** `idle` until the first run is seen. */
  runState: RunState | 'idle';
  /** The reply so far; on `done`, the full text the worker reported. */
  text: string;
  tokenCount: number;
  /** The reply as parts (text, reasoning, tool calls, steps, sources, data), folded from its token and delta events. */
  parts: MessagePart[];
  /** Delta events applied to `parts`. */
  deltaCount: number;
  /** Id of the last event applied: resume from here, and ignore anything at or before it. */
  lastEventId: string | null;
  /** Message of the run's `error` event. */
  error: string | null;
  /**
   * On `done`: whether the tokens (and deltas, when the worker counted them) received add up to the reported
   * text and counts (nothing missed or doubled).
   */
  complete: boolean | null;
  /** Why the stream last had to start over from retained history (`status` `reset`), until the next run. */
  reset: string | null;
  /** What the provider reported on `done`, when it did. */
  usage: Usage | null;
  model: string | null;
  finishReason: FinishReason | null;
}

export const initialStreamState: StreamState = {
  runId: null,
  runState: 'idle',
  text: '',
  tokenCount: 0,
  parts: [],
  deltaCount: 0,
  lastEventId: null,
  error: null,
  complete: null,
  reset: null,
  usage: null,
  model: null,
  finishReason: null,
};

function startRun(state: StreamState, runId: string, runState: RunState): StreamState {
  return {
    ...initialStreamState,
    runId,
    runState,
    lastEventId: state.lastEventId,
  };
}

/**
 * Applies one event to the state. Pure, and idempotent per id: an event at or before `lastEventId` is
 * ignored, so a replay after a reconnect can never render a token or a part twice.
 */
export function applyStreamEvent(state: StreamState, id: string, event: StreamEvent): StreamState {
  if (isAtOrBefore(state.lastEventId, id)) return state;
  const runId = event.runId ?? null;
  let next = runId !== null && runId !== state.runId ? startRun(state, runId, 'queued') : state;
  switch (event.type) {
    case 'status': {
      const { content } = event;
      if (content.state === 'reset') {
        // What follows is replayed from retained history: rebuild the view from it.
        next = { ...initialStreamState, reset: content.reason };
        break;
      }
      next = content.runId !== next.runId ? startRun(next, content.runId, content.state) : next;
      next = { ...next, runState: content.state };
      break;
    }
    case 'token':
      next = {
        ...next,
        runState: 'running',
        text: next.text + event.content,
        tokenCount: next.tokenCount + 1,
        parts: applyMessageEvent(next.parts, event),
      };
      break;
    case 'delta':
      next = { ...next, parts: applyMessageEvent(next.parts, event), deltaCount: next.deltaCount + 1 };
      break;
    case 'done': {
      const { content } = event;
      const deltasMatch = content.deltaCount === undefined || content.deltaCount === next.deltaCount;
      next = {
        ...next,
        runState: 'done',
        complete: next.text === content.text && next.tokenCount === content.tokenCount && deltasMatch,
        text: content.text,
        tokenCount: content.tokenCount,
        parts: withFinalText(next.parts, content.text),
        usage: content.usage ?? null,
        model: content.model ?? null,
        finishReason: content.finishReason ?? null,
      };
      break;
    }
    case 'error':
      next = { ...next, runState: 'error', error: event.content.message };
      break;
  }
  return { ...next, lastEventId: id };
}

/**
 * The parts with the reported text, when tokens were missed and the parts are text alone. Text interleaved
 * with other parts is left as it arrived: where the missing pieces belong is not known.
 */
function withFinalText(parts: MessagePart[], text: string): MessagePart[] {
  if (messageText(parts) === text || !parts.every((part) => part.type === 'text')) return parts;
  return text === '' ? [] : [{ type: 'text', text }];
}
