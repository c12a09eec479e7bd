import { readFileSync } from 'node:fs';
import { type Logger, type Readiness, type ReadinessCheck, silentLogger } from '@threadcast/common';
import {
  type EventPosition,
  formatEventId,
  parseEventId,
  type StreamEvent,
  type ThreadId,
  toStreamEvent,
} from '@threadcast/contract';
import { Redis, type RedisOptions } from 'ioredis';
import { DropLog } from '../drop-log.ts';
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
import { positiveInteger } from '../memory/memory-event-bus.ts';
import {
  followThread,
  type LiveItem,
  RESYNC,
  subscribeThread,
  type ThreadLog,
  type ThreadLogRead,
} from '../ordered-feed.ts';
import { ChannelHub } from './channel-hub.ts';
import { resilientRedisOptions } from './connection-options.ts';
import { type BusKeys, busKeys, connectionNames } from './names.ts';

export interface RedisEventBusConfig {
  /** `redis://` or `rediss://` URL of the Redis server. */
  url: string;
  /** Prefix of every key the bus writes (default `threadcast:`). */
  keyPrefix?: string;
  /** Prefix of the per-thread pub/sub channel (default `thread:`, the seed's channel). */
  channelPrefix?: string;
  /** Events kept per thread for replay, approximately (Redis `MAXLEN ~`, default 1,000). */
  historyMaxLen?: number;
  /** Seconds a thread's history lives after its last event (default 86,400; 0 keeps it forever). */
  historyTtlSeconds?: number;
  /** Live events a subscriber may leave unread before it is disconnected (default 10,000). */
  maxQueuedPerSubscriber?: number;
  /** Largest event accepted, in bytes of JSON (default 1 MiB). */
  maxEventBytes?: number;
  logger?: Logger;
  /** Extra ioredis options for both connections. */
  redisOptions?: RedisOptions;
  /**
   * Connections to share instead of opening two (their owner closes them): one for commands, and one for
   * subscriptions, created with `autoResubscribe: false` (the hub resubscribes itself) and `lazyConnect`.
   */
  connections?: SharedConnections;
}

export interface SharedConnections {
  commands: Redis;
  subscriber: Redis;
}

/** The two connections a process needs for everything it does on Redis, made to be shared. */
export function openSharedConnections(url: string, redisOptions: RedisOptions = {}): SharedConnections {
  return {
    commands: new Redis(
      url,
      resilientRedisOptions({ commandTimeout: 5_000, ...redisOptions, connectionName: connectionNames.commands }),
    ),
    subscriber: new Redis(
      url,
      resilientRedisOptions({
        ...redisOptions,
        connectionName: connectionNames.subscriber,
        lazyConnect: true,
        autoResubscribe: false,
      }),
    ),
  };
}

const PUBLISH_SCRIPT = readFileSync(new URL('./publish-2.lua', import.meta.url), 'utf8');
const HEAD_SCRIPT = readFileSync(new URL('./head-2.lua', import.meta.url), 'utf8');
const READ_SCRIPT = readFileSync(new URL('./read-2.lua', import.meta.url), 'utf8');

type StreamEntry = [id: string, fields: string[]];

interface PublishingRedis extends Redis {
  threadcastPublish(
    metaKey: string,
    logKey: string,
    channel: string,
    eventJson: string,
    epoch: string,
    maxLen: number,
    ttlSeconds: number,
    producer: string,
    sequence: number,
    final: string,
  ): Promise<[epoch: string, seq: number, status: number]>;
  threadcastHead(metaKey: string, logKey: string, epoch: string, ttlSeconds: number): Promise<[string, number]>;
  threadcastRead(
    metaKey: string,
    logKey: string,
    from: 'after' | 'newest',
    startOrCount: string,
  ): Promise<[string | null, StreamEntry[]]>;
}

/**
 * The scale-out engine: history in a capped Redis Stream per thread, live delivery over pub/sub.
 * One connection publishes and reads; one shared connection holds every subscription of this process.
 */
export class RedisEventBus implements EventBus, Closable, ReadinessCheck {
  private readonly publisher: PublishingRedis;
  private readonly subscriber: Redis;
  private readonly ownsConnections: boolean;
  private readonly hub: ChannelHub<LiveItem>;
  /** What every subscription of this bus reads and joins through. */
  private readonly threadLog: ThreadLog = {
    join: (threadId, listener) => this.hub.join(this.keys.channel(threadId), listener),
    leave: (threadId, listener) => this.hub.leave(this.keys.channel(threadId), listener),
    readAfter: (threadId, after) => this.readAfter(threadId, after),
    head: (threadId) => this.head(threadId),
  };
  private readonly keys: BusKeys;
  private readonly historyMaxLen: number;
  private readonly historyTtlSeconds: number;
  private readonly maxQueued: number;
  private readonly maxEventBytes: number;
  private readonly logger: Logger;
  /** Messages on thread channels that were not threadcast events (counted; logged at most every 10 s). */
  readonly drops: DropLog;

  constructor(config: RedisEventBusConfig) {
    this.keys = busKeys(config.keyPrefix, config.channelPrefix);
    this.historyMaxLen = positiveInteger(config.historyMaxLen ?? 1_000, 'historyMaxLen');
    this.historyTtlSeconds = config.historyTtlSeconds ?? 86_400;
    if (!Number.isSafeInteger(this.historyTtlSeconds) || this.historyTtlSeconds < 0) {
      throw new RangeError(`historyTtlSeconds must be a whole number >= 0, got ${this.historyTtlSeconds}`);
    }
    this.maxQueued = positiveInteger(config.maxQueuedPerSubscriber ?? 10_000, 'maxQueuedPerSubscriber');
    this.maxEventBytes = positiveInteger(config.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, 'maxEventBytes');
    this.logger = config.logger ?? silentLogger;
    this.drops = new DropLog(this.logger);
    this.ownsConnections = config.connections === undefined;
    // The subscriber connects on the first subscription, so a process that only publishes (a worker) holds none.
    const connections = config.connections ?? openSharedConnections(config.url, config.redisOptions);
    this.publisher = connections.commands as PublishingRedis;
    this.subscriber = connections.subscriber;
    this.publisher.defineCommand('threadcastPublish', { numberOfKeys: 2, lua: PUBLISH_SCRIPT });
    this.publisher.defineCommand('threadcastHead', { numberOfKeys: 2, lua: HEAD_SCRIPT });
    this.publisher.defineCommand('threadcastRead', { numberOfKeys: 2, lua: READ_SCRIPT });
    if (this.ownsConnections) {
      for (const connection of [this.publisher, this.subscriber]) {
        connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'redis connection error'));
      }
    }
    this.hub = new ChannelHub<LiveItem>(
      this.subscriber,
      (channel, message) => this.decode(channel, message),
      RESYNC,
      this.logger,
    );
  }

  async publish(event: StreamEvent, options: PublishOptions = {}): Promise<StoredEvent> {
    const encoded = encodeEvent(event, sizeLimit(this.maxEventBytes, options));
    const { threadId } = encoded.event;
    const [epoch, seq, status] = await this.publisher.threadcastPublish(
      this.keys.meta(threadId),
      this.keys.log(threadId),
      this.keys.channel(threadId),
      encoded.json,
      newEpoch(),
      this.historyMaxLen,
      this.historyTtlSeconds,
      options.idempotency?.producer ?? '',
      options.idempotency?.sequence ?? 0,
      options.idempotency?.final ? '1' : '0',
    );
    if (status === 2) throw new ProducerEndedError(options.idempotency?.producer ?? '');
    if (status === 3)
      throw new OutOfOrderError(options.idempotency?.producer ?? '', options.idempotency?.sequence ?? 0);
    const position = { epoch, seq: Number(seq) };
    return { id: formatEventId(position), position, event: encoded.event };
  }

  follow(threadId: ThreadId, options: FollowOptions, consumer: EventConsumer): EventFeed {
    return followThread(this.threadLog, threadId, options, consumer, this.maxQueued);
  }

  subscribe(threadId: ThreadId, options: SubscribeOptions): AsyncIterable<StoredEvent> {
    return subscribeThread(this.threadLog, threadId, options, this.maxQueued);
  }

  async history(threadId: ThreadId, options: { limit?: number } = {}): Promise<StoredEvent[]> {
    const [epoch, entries] = await this.readLog(threadId, 'newest', String(options.limit ?? ''));
    return this.toStored(threadId, epoch, entries.reverse());
  }

  stats(): BusStats {
    const { channels, listeners } = this.hub.size;
    return { subscribers: listeners, channels };
  }

  /**
   * Ready when the command connection is up and the shared subscriber is either up with every channel
   * subscribed again after its last reconnect, or not connected yet (it connects on the first subscription).
   */
  readiness(): Readiness {
    const { status } = this.publisher;
    if (status !== 'ready')
      return { ready: false, reason: `redis is unreachable (the command connection is ${status})` };
    const problem = this.hub.unavailable();
    return problem === null ? { ready: true } : { ready: false, reason: problem };
  }

  async close(): Promise<void> {
    if (this.ownsConnections) await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
  }

  private async readAfter(threadId: ThreadId, after: EventPosition | null): Promise<ThreadLogRead> {
    let [epoch, entries] = await this.readLog(threadId, 'after', after ? `(${after.seq}-0` : '-');
    if (after && epoch !== null && epoch !== after.epoch) [epoch, entries] = await this.readLog(threadId, 'after', '-');
    return { epoch, events: this.toStored(threadId, epoch, entries) };
  }

  /** The thread's epoch and last seq; a thread without history gets its new epoch now. */
  private async head(threadId: ThreadId): Promise<EventPosition> {
    const [epoch, seq] = await this.publisher.threadcastHead(
      this.keys.meta(threadId),
      this.keys.log(threadId),
      newEpoch(),
      this.historyTtlSeconds,
    );
    return { epoch, seq: Number(seq) };
  }

  /** Reads the thread's epoch together with some of its entries, atomically (read-2.lua). */
  private readLog(
    threadId: ThreadId,
    from: 'after' | 'newest',
    startOrCount: string,
  ): Promise<[string | null, StreamEntry[]]> {
    return this.publisher.threadcastRead(this.keys.meta(threadId), this.keys.log(threadId), from, startOrCount);
  }

  private toStored(threadId: ThreadId, epoch: string | null, entries: StreamEntry[]): StoredEvent[] {
    if (epoch === null) return [];
    const stored: StoredEvent[] = [];
    for (const [entryId, fields] of entries) {
      const seq = Number(entryId.slice(0, entryId.indexOf('-')));
      const json = fields[fields.indexOf('event') + 1];
      const event = json === undefined ? null : this.parseEvent(json, threadId);
      if (!event) continue;
      const position = { epoch, seq };
      stored.push({ id: formatEventId(position), position, event });
    }
    return stored;
  }

  /**
   * A message on a thread's channel: the `{ id, event }` that publish-2.lua sends, or a bare StreamEvent
   * that some other producer published there directly (delivered live, never kept). Anything else is
   * dropped and counted (`drops`).
   */
  private decode(channel: string, message: string): LiveItem | null {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      this.drops.drop({ channel, bytes: message.length, reason: 'not JSON' }, 'dropped messages on a thread channel');
      return null;
    }
    const { id, event } = (value ?? {}) as { id?: unknown; event?: unknown };
    const position = typeof id === 'string' ? parseEventId(id) : null;
    const parsed = toStreamEvent(position ? event : value);
    if (!parsed || this.keys.channel(parsed.threadId) !== channel) {
      this.drops.drop(
        { channel, bytes: message.length, reason: 'not a threadcast event' },
        'dropped messages on a thread channel',
      );
      return null;
    }
    if (!position) return { liveOnly: parsed };
    // An id that parses is canonical (no leading zeros), so it is already what formatEventId would make of it.
    return { id: id as string, position, event: parsed };
  }

  private parseEvent(json: string, threadId: ThreadId): StreamEvent | null {
    try {
      const event = toStreamEvent(JSON.parse(json));
      if (event?.threadId === threadId) return event;
    } catch {
      // reported below
    }
    this.logger.warn({ threadId }, 'skipped a history entry that is not a threadcast event');
    return null;
  }
}
