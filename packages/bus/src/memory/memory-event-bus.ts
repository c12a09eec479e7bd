import type { Readiness, ReadinessCheck } from '@threadcast/common';
import { type EventPosition, formatEventId, type StreamEvent, type ThreadId } from '@threadcast/contract';
import { DEFAULT_MAX_EVENT_BYTES, encodeEvent, sizeLimit } from '../encode-event.ts';
import { newEpoch } from '../epoch.ts';
import { OutOfOrderError, ProducerEndedError } from '../errors.ts';
import type {
  BusStats,
  Closable,
  EventBus,
  EventConsumer,
  EventFeed,
  FollowOptions,
  PublishOptions,
  StoredEvent,
  SubscribeOptions,
} from '../event-bus.ts';
import { followThread, type LiveListener, subscribeThread, type ThreadLog } from '../ordered-feed.ts';

export interface MemoryEventBusConfig {
  /** Events kept per thread for replay (default 1,000). */
  historyLimit?: number;
  /** Live events a subscriber may leave unread before it is disconnected (default 10,000). */
  maxQueuedPerSubscriber?: number;
  /** Largest event accepted, in bytes of JSON (default 1 MiB). */
  maxEventBytes?: number;
}

interface ThreadHistory {
  epoch: string;
  seq: number;
  events: StoredEvent[];
  listeners: Set<LiveListener>;
  /** Last accepted sequence and its stored event, per idempotent producer. */
  producers: Map<string, { sequence: number; stored: StoredEvent; ended: boolean }>;
}

/** The embedded engine: every thread's history and subscribers live in this process. */
export class MemoryEventBus implements EventBus, Closable, ReadinessCheck {
  private readonly threads = new Map<ThreadId, ThreadHistory>();
  private readonly historyLimit: number;
  private readonly maxQueued: number;
  private readonly maxEventBytes: number;
  /** What every subscription of this bus reads and joins through. */
  private readonly threadLog: ThreadLog = {
    join: async (threadId, listener) => {
      this.log(threadId).listeners.add(listener);
    },
    leave: (threadId, listener) => {
      this.threads.get(threadId)?.listeners.delete(listener);
    },
    readAfter: async (threadId, after) => ({
      epoch: this.threads.get(threadId)?.epoch ?? null,
      events: this.readAfter(threadId, after),
    }),
    head: async (threadId) => {
      const log = this.log(threadId);
      return { epoch: log.epoch, seq: log.seq };
    },
  };

  constructor(config: MemoryEventBusConfig = {}) {
    this.historyLimit = positiveInteger(config.historyLimit ?? 1_000, 'historyLimit');
    this.maxQueued = positiveInteger(config.maxQueuedPerSubscriber ?? 10_000, 'maxQueuedPerSubscriber');
    this.maxEventBytes = positiveInteger(config.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, 'maxEventBytes');
  }

  async publish(event: StreamEvent, options: PublishOptions = {}): Promise<StoredEvent> {
    const accepted = encodeEvent(event, sizeLimit(this.maxEventBytes, options)).event;
    const log = this.log(event.threadId);
    const { idempotency } = options;
    const previous = idempotency ? log.producers.get(idempotency.producer) : undefined;
    if (idempotency && previous) {
      // Only a retry of the final event itself is answered; anything else of an ended producer is refused.
      if (previous.ended) {
        if (idempotency.sequence === previous.sequence) return previous.stored;
        throw new ProducerEndedError(idempotency.producer);
      }
      if (idempotency.sequence <= previous.sequence) return previous.stored;
      if (!idempotency.final && idempotency.sequence > previous.sequence + 1) {
        throw new OutOfOrderError(idempotency.producer, idempotency.sequence);
      }
    }
    log.seq += 1;
    const position = { epoch: log.epoch, seq: log.seq };
    const stored: StoredEvent = { id: formatEventId(position), position, event: accepted };
    log.events.push(stored);
    if (log.events.length > this.historyLimit) log.events.shift();
    if (idempotency) {
      log.producers.set(idempotency.producer, {
        sequence: idempotency.sequence,
        stored,
        ended: idempotency.final === true,
      });
    }
    for (const listener of log.listeners) listener.push(stored);
    return stored;
  }

  follow(threadId: ThreadId, options: FollowOptions, consumer: EventConsumer): EventFeed {
    return followThread(this.threadLog, threadId, options, consumer, this.maxQueued);
  }

  subscribe(threadId: ThreadId, options: SubscribeOptions): AsyncIterable<StoredEvent> {
    return subscribeThread(this.threadLog, threadId, options, this.maxQueued);
  }

  async history(threadId: ThreadId, options: { limit?: number } = {}): Promise<StoredEvent[]> {
    const events = this.threads.get(threadId)?.events ?? [];
    return options.limit === undefined ? [...events] : events.slice(-options.limit);
  }

  stats(): BusStats {
    let channels = 0;
    let subscribers = 0;
    for (const { listeners } of this.threads.values()) {
      if (listeners.size > 0) channels += 1;
      subscribers += listeners.size;
    }
    return { subscribers, channels };
  }

  /** Always ready: everything lives in this process. */
  readiness(): Readiness {
    return { ready: true };
  }

  async close(): Promise<void> {
    for (const log of this.threads.values()) log.listeners.clear();
  }

  private readAfter(threadId: ThreadId, after: EventPosition | null): StoredEvent[] {
    const log = this.threads.get(threadId);
    if (!log) return [];
    if (after === null || after.epoch !== log.epoch) return [...log.events];
    return log.events.filter((stored) => stored.position.seq > after.seq);
  }

  private log(threadId: ThreadId): ThreadHistory {
    let log = this.threads.get(threadId);
    if (!log) {
      log = { epoch: newEpoch(), seq: 0, events: [], listeners: new Set(), producers: new Map() };
      this.threads.set(threadId, log);
    }
    return log;
  }
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
