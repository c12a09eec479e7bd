import { type EventPosition, formatEventId, type StreamEvent, type ThreadId } from '@threadcast/contract';
import type { StoredEvent, SubscribeOptions } from './event-bus.ts';
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

/** Takes a thread's live items as they arrive (an `Inbox`). */
export interface LiveListener {
  push(item: LiveItem): void;
}

/**
 * What an engine gives `orderedSubscription`: one object per bus, whatever the thread, so an open
 * subscription holds no functions of its own.
 */
export interface ThreadLog {
  /** Starts handing `listener` the thread's live items; resolves once joined. */
  join(threadId: ThreadId, listener: LiveListener): Promise<void>;
  /** Stops handing `listener` the thread's live items. */
  leave(threadId: ThreadId, listener: LiveListener): void;
  readAfter(threadId: ThreadId, after: EventPosition | null): Promise<ThreadLogRead>;
  /** The thread's epoch and last seq, starting a new history if it has none. */
  head(threadId: ThreadId): Promise<EventPosition>;
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
export function orderedSubscription(
  log: ThreadLog,
  threadId: ThreadId,
  options: SubscribeOptions,
  /** Live items that may wait for the consumer before it is cut off as a slow consumer. */
  maxQueued: number,
): AsyncGenerator<StoredEvent, void, undefined> {
  return new OrderedSubscription(log, threadId, options, maxQueued).events();
}

/**
 * The state of one subscription. A class rather than closures in a generator: thousands of them sit idle
 * at once, and each closure would cost every one of them its own function objects.
 */
class OrderedSubscription {
  private cursor: EventPosition | null;
  // Live-only events are numbered after the last kept event this subscriber yielded (`<epoch>:0` before
  // any), never after the thread's head: kept events may still be on their way to this subscriber.
  private liveOnlyCount = 0;

  constructor(
    private readonly log: ThreadLog,
    private readonly threadId: ThreadId,
    private readonly options: SubscribeOptions,
    private readonly maxQueued: number,
  ) {
    this.cursor = options.after;
  }

  async *events(): AsyncGenerator<StoredEvent, void, undefined> {
    const { signal, observer, direct } = this.options;
    if (signal.aborted) return;
    const inbox = new Inbox<LiveItem>(this.maxQueued, signal, observer);
    await this.log.join(this.threadId, inbox);
    if (direct) inbox.bypass = this;
    try {
      yield* this.replay();
      for await (const item of inbox) {
        if (item === RESYNC) {
          yield* this.replay();
          continue;
        }
        if ('liveOnly' in item) {
          yield await this.liveOnly(item.liveOnly);
          continue;
        }
        if (!isAfter(item, this.cursor)) continue;
        const { cursor } = this;
        if (cursor !== null && item.position.epoch === cursor.epoch && item.position.seq > cursor.seq + 1) {
          yield* this.replay();
          if (!isAfter(item, this.cursor)) continue;
        }
        yield* this.advance(item);
      }
    } finally {
      inbox.end();
      this.log.leave(this.threadId, inbox);
    }
  }

  /**
   * Offered by the inbox while the consumer waits with nothing queued. Only the plain case goes direct: a
   * live event right after the cursor. Anything that needs a read or a notice (a gap, a resync, a live-only
   * event) wakes the iterator, which then handles it in order.
   */
  offer(item: LiveItem): boolean {
    if (item === RESYNC || 'liveOnly' in item) return false;
    const { cursor } = this;
    if (!isAfter(item, cursor)) return true;
    if (cursor !== null && (item.position.epoch !== cursor.epoch || item.position.seq !== cursor.seq + 1)) return false;
    if (!this.options.direct?.deliver(item)) return false;
    this.cursor = item.position;
    this.liveOnlyCount = 0;
    return true;
  }

  private *advance(event: StoredEvent): Generator<StoredEvent> {
    const reason = discontinuity(this.cursor, event.position);
    if (reason) yield resetNotice(this.threadId, event.position, reason);
    this.cursor = event.position;
    this.liveOnlyCount = 0;
    yield event;
  }

  private async *replay(): AsyncGenerator<StoredEvent> {
    const { signal, observer } = this.options;
    const read = await this.log.readAfter(this.threadId, this.cursor);
    for (const event of read.events) {
      if (signal.aborted) return;
      if (!isAfter(event, this.cursor)) continue;
      observer?.replayed(event);
      yield* this.advance(event);
    }
    const { cursor } = this;
    if (read.events.length === 0 && cursor !== null && read.epoch !== cursor.epoch) {
      // Nothing retained in the history the client knew: say so now rather than at the next event.
      const head = await this.log.head(this.threadId);
      if (head.epoch !== cursor.epoch) {
        yield resetNotice(this.threadId, { epoch: head.epoch, seq: head.seq + 1 }, 'the thread history was lost');
        this.cursor = head;
      }
    }
  }

  private async liveOnly(event: StreamEvent): Promise<StoredEvent> {
    const at = this.cursor ?? { epoch: (await this.log.head(this.threadId)).epoch, seq: 0 };
    this.liveOnlyCount = Math.max(this.liveOnlyCount, at.live ?? 0) + 1;
    const position = { epoch: at.epoch, seq: at.seq, live: this.liveOnlyCount };
    return { id: formatEventId(position), position, event };
  }
}
