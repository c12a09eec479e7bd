import { type EventPosition, formatEventId, type StreamEvent, type ThreadId } from '@threadcast/contract';
import type { DirectDelivery, StoredEvent, SubscriptionObserver } from './event-bus.ts';
import { Inbox } from './inbox.ts';

/** Delivered by an engine when its live feed may have missed events (after a reconnect): read history again. */
export const RESYNC = Symbol('resync');
/** An event that reached the live feed without being kept (published raw on the channel): never replayed. */
export interface LiveOnlyEvent {
  liveOnly: StreamEvent;
}
export type LiveItem = StoredEvent | LiveOnlyEvent | typeof RESYNC;

export interface ThreadLogRead {
  /** The thread's current epoch, or null when it has no history at all. */
  epoch: string | null;
  /** Retained events after the position asked for (all retained for null or another epoch), oldest first. */
  events: StoredEvent[];
}

export interface OrderedSubscriptionSource {
  threadId: ThreadId;
  /** Starts delivering live items to `deliver`; resolves once joined, with the function that leaves. */
  join(deliver: (item: LiveItem) => void): Promise<() => void>;
  readAfter(after: EventPosition | null): Promise<ThreadLogRead>;
  /** The thread's epoch and last seq, starting a new history if it has none. */
  head(): Promise<EventPosition>;
}

export interface OrderedSubscriptionOptions {
  after: EventPosition | null;
  signal: AbortSignal;
  /** Live items that may wait for the consumer before it is cut off as a slow consumer. */
  maxQueued: number;
  direct?: DirectDelivery | undefined;
  observer?: SubscriptionObserver | undefined;
}

function isAfter(event: StoredEvent, cursor: EventPosition | null): boolean {
  if (cursor === null || event.position.epoch !== cursor.epoch) return true;
  return event.position.seq > cursor.seq;
}

/** Why `next` cannot follow `cursor` directly, or null if it can. */
function discontinuity(cursor: EventPosition | null, next: EventPosition): string | null {
  if (cursor === null) return null;
  if (next.epoch !== cursor.epoch) return 'the thread history was lost; replaying what is retained now';
  if (next.seq > cursor.seq + 1) return 'the thread history was trimmed past your position; replaying what is retained';
  return null;
}

/** A `status` `reset` notice placed just before `position`, so resuming from its id replays from there. */
function resetNotice(threadId: ThreadId, position: EventPosition, reason: string): StoredEvent {
  const before = { epoch: position.epoch, seq: position.seq - 1 };
  return {
    id: formatEventId(before),
    position: before,
    event: { type: 'status', threadId, ts: Date.now(), content: { state: 'reset', reason } },
  };
}

/**
 * Joins the live feed first, then replays history after `after`, then hands over to live events,
 * skipping what was already yielded and filling any jump in positions from history. Joining before
 * reading closes the race in which an event published between the two would be lost. Where history
 * cannot fill the gap (trimmed or lost), a `status` `reset` notice comes before what is retained.
 */
export async function* orderedSubscription(
  source: OrderedSubscriptionSource,
  options: OrderedSubscriptionOptions,
): AsyncGenerator<StoredEvent, void, undefined> {
  const { signal, observer } = options;
  if (signal.aborted) return;
  const inbox = new Inbox<LiveItem>(options.maxQueued, signal, observer && ((count) => observer.dropped(count)));
  const leave = await source.join((item) => inbox.push(item));
  let cursor = options.after;

  function* advance(event: StoredEvent): Generator<StoredEvent> {
    const reason = discontinuity(cursor, event.position);
    if (reason) yield resetNotice(source.threadId, event.position, reason);
    cursor = event.position;
    liveOnlyCount = 0;
    yield event;
  }

  async function* replay(): AsyncGenerator<StoredEvent> {
    const read = await source.readAfter(cursor);
    for (const event of read.events) {
      if (signal.aborted) return;
      if (!isAfter(event, cursor)) continue;
      observer?.replayed(event);
      yield* advance(event);
    }
    if (read.events.length === 0 && cursor !== null && read.epoch !== cursor.epoch) {
      // Nothing retained in the history the client knew: say so now rather than at the next event.
      const head = await source.head();
      if (head.epoch !== cursor.epoch) {
        yield resetNotice(source.threadId, { epoch: head.epoch, seq: head.seq + 1 }, 'the thread history was lost');
        cursor = head;
      }
    }
  }

  // Live-only events are numbered after the last kept event this subscriber yielded (`<epoch>:0` before
  // any), never after the thread's head: kept events may still be on their way to this subscriber.
  let liveOnlyCount = 0;
  async function liveOnly(event: StreamEvent): Promise<StoredEvent> {
    const at = cursor ?? { epoch: (await source.head()).epoch, seq: 0 };
    liveOnlyCount = Math.max(liveOnlyCount, at.live ?? 0) + 1;
    const position = { epoch: at.epoch, seq: at.seq, live: liveOnlyCount };
    return { id: formatEventId(position), position, event };
  }

  // Only the plain case goes direct: a live event right after the cursor. Anything that needs a read or a
  // notice (a gap, a resync, a live-only event) wakes the iterator, which then handles it in order.
  const { direct } = options;
  if (direct) {
    inbox.bypass = (item) => {
      if (item === RESYNC || 'liveOnly' in item) return false;
      if (!isAfter(item, cursor)) return true;
      if (cursor !== null && (item.position.epoch !== cursor.epoch || item.position.seq !== cursor.seq + 1))
        return false;
      if (!direct(item)) return false;
      cursor = item.position;
      liveOnlyCount = 0;
      return true;
    };
  }

  try {
    yield* replay();
    for await (const item of inbox) {
      if (item === RESYNC) {
        yield* replay();
        continue;
      }
      if ('liveOnly' in item) {
        yield await liveOnly(item.liveOnly);
        continue;
      }
      if (!isAfter(item, cursor)) continue;
      if (cursor !== null && item.position.epoch === cursor.epoch && item.position.seq > cursor.seq + 1) {
        yield* replay();
        if (!isAfter(item, cursor)) continue;
      }
      yield* advance(item);
    }
  } finally {
    inbox.end();
    leave();
  }
}
