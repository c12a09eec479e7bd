import { type EventPosition, formatEventId, type StreamEvent, type ThreadId } from '@threadcast/contract';
import { SlowConsumerError } from './errors.ts';
import type {
  EventConsumer,
  EventFeed,
  FollowOptions,
  StoredEvent,
  SubscribeOptions,
  SubscriptionObserver,
} from './event-bus.ts';
import { PullQueue } from './pull-queue.ts';

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

/** Takes a thread's live items as they arrive (an `OrderedFeed`). */
export interface LiveListener {
  push(item: LiveItem): void;
}

/**
 * What an engine gives `followThread`: one object per bus, whatever the thread, so an open
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
 * Follows a thread for `consumer`: joins the live feed first, then replays history after `after`, then hands
 * over live events, skipping what was already delivered and filling any jump in positions from history.
 * Joining before reading closes the race in which an event published between the two would be lost. Where
 * history cannot fill the gap (trimmed or lost), a `status` `reset` notice comes before what is retained.
 */
export function followThread(
  log: ThreadLog,
  threadId: ThreadId,
  options: FollowOptions & { signal?: AbortSignal | undefined },
  consumer: EventConsumer,
  /** Live items that may wait for the consumer before it is cut off as a slow consumer. */
  maxQueued: number,
): EventFeed {
  const feed = new OrderedFeed(log, threadId, options, consumer, maxQueued);
  feed.start();
  return feed;
}

/** The same events pulled: an async iteration over `followThread`, ended by its signal or by `return`. */
export function subscribeThread(
  log: ThreadLog,
  threadId: ThreadId,
  options: SubscribeOptions,
  maxQueued: number,
): AsyncIterableIterator<StoredEvent> {
  const queue = new PullQueue();
  queue.source = followThread(log, threadId, options, queue, maxQueued);
  return queue;
}

const NOTHING: readonly StoredEvent[] = [];

/**
 * One subscription, pushing to its consumer in order. Everything it does is serial: while an async step runs
 * (joining, reading history, finding the head) or the consumer is congested, live items wait in `queued`,
 * and `pump` takes them up again in order. A class rather than closures: thousands of them sit idle at once,
 * and each closure would cost every one of them its own function objects.
 */
class OrderedFeed implements EventFeed, LiveListener {
  private cursor: EventPosition | null;
  // Live-only events are numbered after the last kept event this subscriber got (`<epoch>:0` before any),
  // never after the thread's head: kept events may still be on their way to this subscriber.
  private liveOnlyCount = 0;
  private readonly queued: LiveItem[] = [];
  private queuedHead = 0;
  /** History read by `replay`, and the index of the next of it to hand over. */
  private backlog: readonly StoredEvent[] = NOTHING;
  private backlogNext = 0;
  /** The live event whose gap a replay is filling: handed over after the replay, unless it brought it. */
  private held: StoredEvent | null = null;
  /** An async step is in flight (joining first): nothing is handed over until it is done. */
  private busy = true;
  private congested = false;
  private pumping = false;
  private ended = false;
  private readonly observer: SubscriptionObserver | null;
  private readonly signal: AbortSignal | null;

  constructor(
    private readonly log: ThreadLog,
    private readonly threadId: ThreadId,
    options: FollowOptions & { signal?: AbortSignal | undefined },
    private readonly consumer: EventConsumer,
    private readonly maxQueued: number,
  ) {
    this.cursor = options.after;
    this.observer = options.observer ?? null;
    this.signal = options.signal ?? null;
  }

  start(): void {
    if (this.signal?.aborted) {
      this.end(undefined);
      return;
    }
    // The feed is its own abort listener (`handleEvent`): no function per subscription.
    this.signal?.addEventListener('abort', this, { once: true });
    this.log.join(this.threadId, this).then(
      () => {
        if (!this.ended) this.run(this.replay());
      },
      (error: unknown) => this.end(error),
    );
  }

  push(item: LiveItem): void {
    if (this.ended) return;
    const waiting = this.queued.length - this.queuedHead;
    if (waiting >= this.maxQueued) {
      this.observer?.dropped(waiting + 1);
      this.end(new SlowConsumerError(this.maxQueued));
      return;
    }
    this.queued.push(item);
    this.pump();
  }

  resume(): void {
    this.congested = false;
    this.pump();
  }

  stop(): void {
    this.end(undefined);
  }

  handleEvent(): void {
    this.stop();
  }

  /** Hands over whatever can go now, in order, until the feed is busy, congested, ended or has nothing left. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.busy && !this.congested && !this.ended) {
        if (this.backlogNext < this.backlog.length) {
          const event = this.backlog[this.backlogNext] as StoredEvent;
          this.backlogNext += 1;
          if (!isAfter(event, this.cursor)) continue;
          this.observer?.replayed(event);
          this.advance(event);
        } else if (this.held !== null) {
          const event = this.held;
          this.held = null;
          if (isAfter(event, this.cursor)) this.advance(event);
        } else {
          const item = this.take();
          if (item === undefined) return;
          this.handle(item);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private take(): LiveItem | undefined {
    if (this.queuedHead === this.queued.length) return undefined;
    const item = this.queued[this.queuedHead];
    this.queuedHead += 1;
    if (this.queuedHead === this.queued.length) {
      this.queued.length = 0;
      this.queuedHead = 0;
    }
    return item;
  }

  private handle(item: LiveItem): void {
    if (item === RESYNC) {
      this.run(this.replay());
    } else if ('liveOnly' in item) {
      if (this.cursor === null) this.run(this.liveOnlyAtHead(item.liveOnly));
      else this.sendLiveOnly(item.liveOnly, this.cursor);
    } else if (isAfter(item, this.cursor)) {
      const { cursor } = this;
      if (cursor !== null && item.position.epoch === cursor.epoch && item.position.seq > cursor.seq + 1) {
        // A jump in positions: fill it from history first.
        this.held = item;
        this.run(this.replay());
      } else {
        this.advance(item);
      }
    }
  }

  /** Runs an async step; the feed goes on when it is done, and ends with its error if it fails. */
  private run(step: Promise<void>): void {
    this.busy = true;
    step.then(
      () => {
        this.busy = false;
        this.pump();
      },
      (error: unknown) => this.end(error),
    );
  }

  private advance(event: StoredEvent): void {
    const reason = discontinuity(this.cursor, event.position);
    if (reason) this.send(resetNotice(this.threadId, event.position, reason));
    this.cursor = event.position;
    this.liveOnlyCount = 0;
    this.send(event);
  }

  /** Delivers one event; a consumer that returns false gets nothing more until it resumes. */
  private send(event: StoredEvent): void {
    if (this.ended) return;
    if (!this.consumer.deliver(event)) this.congested = true;
  }

  private async replay(): Promise<void> {
    const read = await this.log.readAfter(this.threadId, this.cursor);
    if (this.ended) return;
    this.backlog = read.events;
    this.backlogNext = 0;
    const { cursor } = this;
    if (read.events.length === 0 && cursor !== null && read.epoch !== cursor.epoch) {
      // Nothing retained in the history the client knew: say so now rather than at the next event.
      const head = await this.log.head(this.threadId);
      if (head.epoch !== cursor.epoch) {
        this.send(resetNotice(this.threadId, { epoch: head.epoch, seq: head.seq + 1 }, 'the thread history was lost'));
        this.cursor = head;
      }
    }
  }

  private async liveOnlyAtHead(event: StreamEvent): Promise<void> {
    const head = await this.log.head(this.threadId);
    this.sendLiveOnly(event, { epoch: head.epoch, seq: 0 });
  }

  private sendLiveOnly(event: StreamEvent, at: EventPosition): void {
    this.liveOnlyCount = Math.max(this.liveOnlyCount, at.live ?? 0) + 1;
    const position = { epoch: at.epoch, seq: at.seq, live: this.liveOnlyCount };
    this.send({ id: formatEventId(position), position, event });
  }

  private end(failure: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.queued.length = 0;
    this.queuedHead = 0;
    this.backlog = NOTHING;
    this.held = null;
    this.signal?.removeEventListener('abort', this);
    this.log.leave(this.threadId, this);
    this.consumer.end(failure);
  }
}
