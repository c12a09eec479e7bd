import type { StreamEvent, ThreadId } from '@threadcast/contract';
import { WAIT_TIMEOUT_MS } from '@threadcast/testkit';
import { expect } from 'vitest';
import type { EventBus, StoredEvent } from './event-bus.ts';

/** Reads events from a subscription until `count` arrived, then stops it; fails if they do not come in time. */
export async function take(
  subscribe: (signal: AbortSignal) => AsyncIterable<StoredEvent>,
  count: number,
  timeoutMs = WAIT_TIMEOUT_MS,
): Promise<StoredEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  const received: StoredEvent[] = [];
  try {
    for await (const event of subscribe(controller.signal)) {
      received.push(event);
      if (received.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  if (received.length < count)
    throw new Error(`expected ${count} events, got ${received.length} before ${timeoutMs} ms`);
  return received;
}

/** Starts reading a subscription in the background; `events` fills as they arrive. */
export function listen(subscribe: (signal: AbortSignal) => AsyncIterable<StoredEvent>) {
  const controller = new AbortController();
  const events: StoredEvent[] = [];
  let wake = null as (() => void) | null;
  const done = (async () => {
    for await (const event of subscribe(controller.signal)) {
      events.push(event);
      wake?.();
    }
  })();
  // A failure is reported to whoever awaits `done`; a test that never does must not see it as unhandled.
  done.catch(() => {});
  return {
    events,
    done,
    /** Resolves once `count` events arrived. */
    async until(count: number, timeoutMs = WAIT_TIMEOUT_MS): Promise<StoredEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${events.length}`);
        await Promise.race([
          new Promise<void>((resolve) => {
            wake = resolve;
          }),
          done,
          new Promise((resolve) => setTimeout(resolve, Math.max(1, deadline - Date.now()))),
        ]);
      }
      return events.slice(0, count);
    },
    stop: () => controller.abort(),
  };
}

/**
 * Follows a thread as a client does: when the subscription ends with an error (Redis unreachable for a moment, a
 * failover), it subscribes again after the last event it got. `events` fills as they arrive; `errors` counts the ends.
 */
export function follow(bus: EventBus, threadId: ThreadId) {
  const controller = new AbortController();
  const events: StoredEvent[] = [];
  let errors = 0;
  const done = (async () => {
    while (!controller.signal.aborted) {
      try {
        const after = events.at(-1)?.position ?? null;
        for await (const event of bus.subscribe(threadId, { after, signal: controller.signal })) events.push(event);
        return;
      } catch {
        errors += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();
  return { events, done, errors: () => errors, stop: () => controller.abort() };
}

/**
 * What a follower of numbered tokens `1 `…`<count> ` got is exact: no id twice, consecutive within an epoch, every token
 * up to the last once in order, from 1 unless it was told `reset` (then from what the replay retained). Returns
 * whether it was told `reset`.
 */
export function expectExactOrReset(events: StoredEvent[], count: number): boolean {
  const ids = events.map((stored) => stored.id);
  expect(new Set(ids).size).toBe(ids.length);
  const resets = events.filter((s) => s.event.type === 'status' && s.event.content.state === 'reset');
  const tail = resets.length === 0 ? events : events.slice(events.lastIndexOf(resets.at(-1) as StoredEvent) + 1);
  for (let i = 1; i < tail.length; i += 1) {
    const previous = tail[i - 1]?.position;
    const current = tail[i]?.position;
    if (previous && current && previous.epoch === current.epoch) expect(current.seq).toBe(previous.seq + 1);
  }
  const tokens = tail.flatMap((s) => (s.event.type === 'token' ? [Number(s.event.content)] : []));
  const first = tokens[0] ?? 1;
  expect(tokens).toEqual(Array.from({ length: count - first + 1 }, (_, i) => first + i));
  if (resets.length === 0) expect(first).toBe(1);
  return resets.length > 0;
}

/** A token event of run `r1`. */
export const token = (threadId: ThreadId, content: string): StreamEvent => ({
  type: 'token',
  threadId,
  content,
  ts: Date.now(),
  runId: 'r1',
});
