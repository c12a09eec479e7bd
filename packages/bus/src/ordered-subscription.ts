import type { EventPosition } from '@threadcast/contract';
import type { StoredEvent } from './event-bus.ts';
import { Inbox } from './inbox.ts';

export interface OrderedSubscriptionSource {
  /** Starts delivering live events to `deliver`; resolves once joined, with the function that leaves. */
  join(deliver: (event: StoredEvent) => void): Promise<() => void>;
  /** Retained events after `after` (all retained when `after` is null or of another epoch), oldest first. */
  readAfter(after: EventPosition | null): Promise<StoredEvent[]>;
}

export interface OrderedSubscriptionOptions {
  after: EventPosition | null;
  signal: AbortSignal;
  /** Live events that may wait for the consumer before it is cut off as a slow consumer. */
  maxQueued: number;
}

function isAfter(event: StoredEvent, cursor: EventPosition | null): boolean {
  if (cursor === null || event.position.epoch !== cursor.epoch) return true;
  return event.position.seq > cursor.seq;
}

/**
 * Joins the live feed first, then replays history after `after`, then hands over to live events,
 * skipping what was already yielded and filling any jump in positions from history. Joining before
 * reading closes the race in which an event published between the two would be lost.
 */
export async function* orderedSubscription(
  source: OrderedSubscriptionSource,
  options: OrderedSubscriptionOptions,
): AsyncGenerator<StoredEvent, void, undefined> {
  const { signal } = options;
  if (signal.aborted) return;
  const inbox = new Inbox<StoredEvent>(options.maxQueued, signal);
  const leave = await source.join((event) => inbox.push(event));
  try {
    let cursor = options.after;
    const replay = async function* (): AsyncGenerator<StoredEvent> {
      for (const event of await source.readAfter(cursor)) {
        if (signal.aborted) return;
        if (!isAfter(event, cursor)) continue;
        cursor = event.position;
        yield event;
      }
    };

    yield* replay();
    for await (const event of inbox) {
      if (!isAfter(event, cursor)) continue;
      const jumped = cursor !== null && event.position.epoch === cursor.epoch && event.position.seq > cursor.seq + 1;
      if (jumped) {
        yield* replay();
        if (!isAfter(event, cursor)) continue;
      }
      cursor = event.position;
      yield event;
    }
  } finally {
    inbox.end();
    leave();
  }
}
