import type { EventBus } from '@threadcast/bus';
import type { EventPosition, ThreadId } from '@threadcast/contract';

/** How much of the newest history each look reads: most runs start within the first, none needs more than all. */
const LOOKS = [256, 4_096, undefined] as const;

/**
 * Where a stream without `lastEventId` starts: just before the latest run's `queued` event, so a tab that
 * opens mid-run sees the whole reply so far. With no run retained it starts after the newest event, and
 * with no history at all from the beginning (so a run queued while it subscribes is not missed).
 */
export async function latestRunStart(bus: EventBus, threadId: ThreadId): Promise<EventPosition | null> {
  for (const limit of LOOKS) {
    const history = await bus.history(threadId, limit === undefined ? {} : { limit });
    for (let i = history.length - 1; i >= 0; i -= 1) {
      const stored = history[i];
      if (stored?.event.type === 'status' && stored.event.content.state === 'queued') {
        return { epoch: stored.position.epoch, seq: stored.position.seq - 1 };
      }
    }
    if (limit === undefined || history.length < limit) return history.at(-1)?.position ?? null;
  }
  return null;
}
