import type { EventId, EventPosition, StreamEvent, ThreadId } from '@threadcast/contract';

/** An event as the bus stored it: the event, its position in the thread and the SSE id formed from it. */
export interface StoredEvent {
  id: EventId;
  position: EventPosition;
  event: StreamEvent;
}

export interface FollowOptions {
  /**
   * Deliver only events after this position. `null` starts at the oldest retained event; so does a position
   * of another epoch, whose history is gone.
   */
  after: EventPosition | null;
  /** Told what the subscription does besides passing live events on (for metrics). */
  observer?: SubscriptionObserver | undefined;
}

export interface SubscribeOptions extends FollowOptions {
  /** Aborting ends the iteration and releases everything the subscription holds. */
  signal: AbortSignal;
}

/** Takes a thread's events as a subscription hands them over, in order (an SSE writer, a pull queue). */
export interface EventConsumer {
  /**
   * Takes the next event. Returning false asks for no more until the feed's `resume` (a congested socket):
   * the events that arrive meanwhile wait in the feed, up to its limit.
   */
  deliver(event: StoredEvent): boolean;
  /**
   * The subscription is over and holds nothing any more: `failure` says what broke it (`SlowConsumerError`,
   * the bus), undefined when it was stopped. Called once, and nothing is delivered after it.
   */
  end(failure?: unknown): void;
}

/** A subscription that pushes to its consumer (`EventBus.follow`). */
export interface EventFeed {
  /** The consumer can take events again after its `deliver` returned false. */
  resume(): void;
  /** Ends the subscription (its consumer's `end` is called) and releases everything it holds. */
  stop(): void;
}

/** What a subscription reports as it goes; plain calls, so the host decides how to count them. */
export interface SubscriptionObserver {
  /** `event` came from history (a resume, or a gap in the live feed filled) and is about to be delivered. */
  replayed(event: StoredEvent): void;
  /** `count` live events were discarded because the consumer fell `maxQueued` behind (it resumes from history). */
  dropped(count: number): void;
}

export interface PublishOptions {
  /**
   * Makes a retried publish safe: events of one `producer` (e.g. a run) carry consecutive `sequence`
   * numbers. An event whose sequence is not above the last one stored for its producer is a duplicate:
   * it is not stored again, and `publish` answers with the position it got the first time. One that skips
   * ahead of the next expected number is refused with `OutOfOrderError` (a final event may skip ahead).
   * A producer the bus has no record of may start at any number.
   */
  idempotency?: {
    producer: string;
    sequence: number;
    /**
     * This is the producer's last event (a run's `done`, `error` or `cancelled`): once it is stored, every
     * other event of the producer is refused with `ProducerEndedError` (a retry of this one is answered
     * as a duplicate), so nothing follows an end.
     */
    final?: boolean;
  };
}

export interface BusStats {
  /** Open subscriptions in this process. */
  subscribers: number;
  /** Threads with at least one open subscription in this process. */
  channels: number;
}

/**
 * Carries the events of threads from publishers to subscribers.
 *
 * Guarantees, for each thread: `publish` gives every event the next position (`seq` + 1) in one history;
 * a subscription delivers events in that order, each at most once, with no gap while the events are
 * retained: it joins the live feed before reading history and fills any jump in positions from history.
 * History is bounded (per-engine retention). When it cannot fill a gap (trimmed past the subscriber's
 * position, or lost), the subscription delivers a `status` event `{ state: 'reset', reason }` and goes on
 * with what is retained: a gap is never silent.
 */
export interface EventBus {
  publish(event: StreamEvent, options?: PublishOptions): Promise<StoredEvent>;
  /**
   * Pushes the thread's events to `consumer` as they come, with no promise or timer per event: the form
   * for a writer that holds thousands of mostly idle streams. It starts at once.
   */
  follow(threadId: ThreadId, options: FollowOptions, consumer: EventConsumer): EventFeed;
  /** The same events, pulled: an async iteration over a `follow`. */
  subscribe(threadId: ThreadId, options: SubscribeOptions): AsyncIterable<StoredEvent>;
  /** The newest retained events of a thread, oldest first (at most `limit`, default: all retained). */
  history(threadId: ThreadId, options?: { limit?: number }): Promise<StoredEvent[]>;
  stats(): BusStats;
}

export interface Closable {
  close(): Promise<void>;
}
