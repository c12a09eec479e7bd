import type { EventBus, StoredEvent } from '@threadcast/bus';
import {
  applyMessageEvent,
  type MessagePart,
  type RunState,
  type ThreadDetail,
  type ThreadMessage,
} from '@threadcast/contract';
import { isEnded, type RunRecord, type RunStore, type ThreadRecord } from '@threadcast/store';

interface Progress {
  state: RunState | null;
  text: string;
  tokenCount: number;
  parts: MessagePart[];
  deltaCount: number;
  reason?: string;
}

/** What the retained history says of each run: its tokens and parts so far and its latest state. */
function progressByRun(history: StoredEvent[]): Map<string, Progress> {
  const progress = new Map<string, Progress>();
  for (const { event } of history) {
    if (!event.runId) continue;
    const run = progress.get(event.runId) ?? { state: null, text: '', tokenCount: 0, parts: [], deltaCount: 0 };
    if (event.type === 'token') {
      run.text += event.content;
      run.tokenCount += 1;
      run.parts = applyMessageEvent(run.parts, event);
    } else if (event.type === 'delta') {
      run.deltaCount += 1;
      run.parts = applyMessageEvent(run.parts, event);
    } else if (event.type === 'done') {
      Object.assign(run, { state: 'done', text: event.content.text, tokenCount: event.content.tokenCount });
    } else if (event.type === 'error') Object.assign(run, { state: 'error', reason: event.content.message });
    else if (event.type === 'status' && event.content.state !== 'reset') {
      Object.assign(run, { state: event.content.state, reason: event.content.reason });
    }
    progress.set(event.runId, run);
  }
  return progress;
}

function message(run: RunRecord, progress: Progress | undefined): ThreadMessage {
  const base = { runId: run.runId, prompt: run.prompt, createdAt: run.createdAt };
  const partial = {
    text: progress?.text ?? '',
    tokenCount: progress?.tokenCount ?? 0,
    parts: progress?.parts ?? [],
    deltaCount: progress?.deltaCount ?? 0,
  };
  if (run.state === 'done') {
    return {
      ...base,
      state: 'done',
      text: run.text ?? '',
      tokenCount: run.tokenCount ?? 0,
      // A run recorded before parts were kept: its text is its one part.
      parts: run.parts ?? (run.text ? [{ type: 'text', text: run.text }] : []),
      deltaCount: run.deltaCount ?? 0,
      ...(run.usage === undefined ? {} : { usage: run.usage }),
      ...(run.model === undefined ? {} : { model: run.model }),
      ...(run.finishReason === undefined ? {} : { finishReason: run.finishReason }),
    };
  }
  if (isEnded(run.state)) return { ...base, ...partial, state: run.state, reason: run.reason };
  return { ...base, ...partial, state: progress?.state ?? run.state, reason: progress?.reason };
}

/**
 * A thread with its prompts and replies, as parts. Ended runs give their recorded end; a run in progress
 * gives what the thread's history says of it, up to `lastEventId`, so a client renders this and then
 * subscribes from there: no part twice, and no delta without the start it continues. Runs are read
 * before history, so history is never older than the records it completes.
 */
export async function threadDetail(
  deps: { bus: EventBus; runs: RunStore },
  thread: ThreadRecord,
): Promise<ThreadDetail> {
  const runs = await deps.runs.listByThread(thread.threadId);
  const history = await deps.bus.history(thread.threadId);
  const progress = progressByRun(history);
  return {
    threadId: thread.threadId,
    title: thread.title,
    createdAt: thread.createdAt,
    messages: runs.map((run) => message(run, progress.get(run.runId))),
    lastEventId: history.at(-1)?.id ?? null,
  };
}
