import type { EventBus, StoredEvent } from '@threadcast/bus';
import type { RunState, StreamEvent } from '@threadcast/contract';
import type { RunEndPatch, RunRecord, RunStore } from './run-store.ts';

/**
 * The idempotency sequence of every run's final event. Whoever ends a run (its worker, a cancel, the
 * reaper) publishes the end with this same sequence, so however many try, the thread gets one end.
 */
export const RUN_END_SEQUENCE = 2 ** 40;

type EndState = Extract<RunState, 'done' | 'error' | 'cancelled'>;

/** The event that tells a thread how a run ended: `done`, `error`, or `status` `cancelled`. */
export function runEndEvent(record: RunRecord): StreamEvent {
  const base = { threadId: record.threadId, runId: record.runId, ts: Date.now() };
  switch (record.state) {
    case 'done':
      return {
        ...base,
        type: 'done',
        content: {
          runId: record.runId,
          text: record.text ?? '',
          tokenCount: record.tokenCount ?? 0,
          ...(record.deltaCount === undefined ? {} : { deltaCount: record.deltaCount }),
          ...(record.usage === undefined ? {} : { usage: record.usage }),
          ...(record.model === undefined ? {} : { model: record.model }),
          ...(record.finishReason === undefined ? {} : { finishReason: record.finishReason }),
        },
      };
    case 'cancelled':
      return { ...base, type: 'status', content: { state: 'cancelled', runId: record.runId, reason: record.reason } };
    default:
      return { ...base, type: 'error', content: { message: record.reason ?? 'the run failed', runId: record.runId } };
  }
}

/** Publishes the end of an ended run; safe to repeat (the thread stores it once). */
export function publishRunEnd(bus: EventBus, record: RunRecord): Promise<StoredEvent> {
  return bus.publish(runEndEvent(record), {
    idempotency: { producer: record.runId, sequence: RUN_END_SEQUENCE, final: true },
  });
}

/**
 * Ends a run: moves it to `to` if nobody ended it first, then publishes the end on its thread. `null` when
 * someone else had already ended it (their end is the one that counts). If the store has no record of
 * the run at all (it lost its data), the end is still published, so the thread never waits forever.
 */
export async function endRun(
  deps: { bus: EventBus; runs: RunStore },
  run: Pick<RunRecord, 'runId' | 'threadId' | 'ownerId' | 'prompt'>,
  to: EndState,
  patch: RunEndPatch = {},
): Promise<RunRecord | null> {
  const record = await deps.runs.transition(run.runId, to, patch);
  if (record) {
    await publishRunEnd(deps.bus, record);
    return record;
  }
  if (await deps.runs.get(run.runId)) return null;
  const now = Date.now();
  const lost: RunRecord = { ...run, ...patch, state: to, createdAt: now, updatedAt: now };
  await publishRunEnd(deps.bus, lost);
  return lost;
}
