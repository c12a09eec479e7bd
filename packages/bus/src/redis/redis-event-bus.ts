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
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { DropLog } from '../drop-log.ts';
import { DEFAULT_MAX_EVENT_BYTES, encodeEvent, sizeLimit } from '../encode-event.ts';
import { newEpoch } from '../epoch.ts';
import { OutOfOrderError, ProducerEndedError, PublishRefusedError, ReplicationTimeoutError } from '../errors.ts';
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
import { ChannelHub, type LiveHub } from './channel-hub.ts';
import { resilientRedisOptions } from './connection-options.ts';
import { keySlot } from './key-slot.ts';
import { LastStored } from './last-stored.ts';
import { type BusKeys, busKeys, connectionNames } from './names.ts';
import { PublishBatcher } from './publish-batcher.ts';
import {
  closeClient,
  clusterNodeOptions,
  isCluster,
  keepConnected,
  openCommandClient,
  type RedisClient,
  type RedisTarget,
  sentinelOptions,
} from './redis-target.ts';
import { RenewalSchedule } from './renewal-schedule.ts';
import { ShardedChannelHub } from './sharded-channel-hub.ts';

export interface RedisEventBusConfig {
  /** `redis://` or `rediss://` URL of the Redis server, or a cluster or Sentinel set (see `RedisTarget`). */
  url: string | RedisTarget;
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
   * Replicas that must confirm each event (Redis `WAIT`) before `publish` resolves (default 0: none). An event
   * not confirmed in `publishReplicasTimeoutMs` is kept, but `publish` fails with a `ReplicationTimeoutError`.
   */
  publishReplicas?: number;
  /** How long `publish` waits for `publishReplicas` confirmations, in ms (default 1,000). */
  publishReplicasTimeoutMs?: number;
  /**
   * Start a new epoch for a thread last written by a primary that has since been replaced (see fence.lua), so
   * events lost in a failover are reported with `reset`. Default: on for a cluster or a Sentinel set (they
   * fail over), off for one Redis. It costs Redis an `INFO replication` per publish and per read.
   */
  fence?: boolean;
  /**
   * Connections to share instead of opening two (their owner closes them): one for commands, and one for
   * subscriptions, created with `autoResubscribe: false` (the hub resubscribes itself) and `lazyConnect`.
   */
  connections?: SharedConnections;
  /** Told of each shard subscriber a cluster bus opens (for metrics). */
  onShardConnection?: (redis: Redis, node: string) => void;
}

export interface SharedConnections {
  commands: RedisClient;
  /**
   * Pub/sub. On a cluster this is the command client itself: the bus subscribes through one connection per
   * shard of its own, and the seed bridge's pattern goes through the cluster client's subscriber.
   */
  subscriber: RedisClient;
  /** What the connections were opened to. */
  target: RedisTarget;
}

/** The connections a process needs for everything it does on Redis, made to be shared. */
export function openSharedConnections(url: string | RedisTarget, redisOptions: RedisOptions = {}): SharedConnections {
  const target: RedisTarget = typeof url === 'string' ? { kind: 'single', url } : url;
  const commands = openCommandClient(target, {
    commandTimeout: 5_000,
    ...redisOptions,
    connectionName: connectionNames.commands,
  });
  if (target.kind === 'cluster') return { commands, subscriber: commands, target };
  const subscriberOptions = {
    ...redisOptions,
    connectionName: connectionNames.subscriber,
    lazyConnect: true,
    autoResubscribe: false,
  };
  const subscriber =
    target.kind === 'single'
      ? new Redis(target.url, resilientRedisOptions(subscriberOptions))
      : new Redis(sentinelOptions(target, subscriberOptions));
  for (const client of [commands, subscriber]) if (!isCluster(client)) keepConnected(client);
  return { commands, subscriber, target };
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  return value;
}

const FENCE_SCRIPT = readFileSync(new URL('./fence.lua', import.meta.url), 'utf8');
const PUBLISH_SCRIPT = readFileSync(new URL('./publish-n.lua', import.meta.url), 'utf8');
const HEAD_SCRIPT = readFileSync(new URL('./head-2.lua', import.meta.url), 'utf8');
const READ_SCRIPT = readFileSync(new URL('./read-2.lua', import.meta.url), 'utf8');

type StreamEntry = [id: string, fields: string[]];

/** One event's part of a publish-n.lua call. */
interface PublishItem {
  meta: string;
  log: string;
  channel: string;
  json: string;
  producer: string;
  sequence: number;
  final: '0' | '1';
}

/**
 * publish-n.lua's answer for one event: with status 4, the epoch is Redis's refusal; `unconfirmed`, why an event the
 * call stored is not confirmed by the replicas asked for (`publishReplicas`).
 */
type PublishReply = [epoch: string, seq: number, status: number, unconfirmed?: Error];

/**
 * Events in one publish call at most, and their bytes of JSON (a larger event goes alone). Small enough that a
 * worker's window (64) travels as two calls, so Redis runs one while the worker reads the other's replies: 32 per
 * call carried a burst at 27,000–33,000 events/s where 128 (one call per window) reached 19,000–22,000.
 */
const PUBLISH_BATCH = { maxItems: 32, maxBytes: 512 * 1024 };

/**
 * How often a busy history's expiry is renewed: a hundredth of its lifetime, at most a minute (so a history lives
 * between `historyTtlSeconds` less that and `historyTtlSeconds` after its last event). Under 100 s: every event.
 */
function renewEveryMs(ttlSeconds: number): number {
  return Math.min(60, Math.floor(ttlSeconds / 100)) * 1000;
}

interface PublishingCommands {
  /** publish-n.lua: `numberOfKeys`, then two keys per event, the shared arguments, eight per event. */
  threadcastPublish(numberOfKeys: number, ...args: (string | number)[]): Promise<(string | number)[]>;
  threadcastHead(
    metaKey: string,
    logKey: string,
    epoch: string,
    ttlSeconds: number,
    fence: '0' | '1',
  ): Promise<[string, number]>;
  threadcastRead(
    metaKey: string,
    logKey: string,
    from: 'after' | 'newest',
    startOrCount: string,
    fence: '0' | '1',
    freshEpoch: string,
  ): Promise<[string | null, StreamEntry[]]>;
}

type PublishingRedis = RedisClient & PublishingCommands;

/** A script with fence.lua's function when the bus fences (it is only called then), as it is otherwise. */
function withFence(script: string, fence: '0' | '1'): string {
  return fence === '1' ? `${FENCE_SCRIPT}\n${script}` : script;
}

/**
 * The scale-out engine: history in a capped Redis Stream per thread, live delivery over pub/sub.
 * One connection publishes and reads; one shared connection holds every subscription of this process.
 */
export class RedisEventBus implements EventBus, Closable, ReadinessCheck {
  private readonly publisher: PublishingRedis;
  private readonly subscriber: RedisClient;
  private readonly ownsConnections: boolean;
  private readonly hub: LiveHub<LiveItem>;
  private readonly sharded: boolean;
  private readonly fence: '0' | '1';
  private readonly publishReplicas: number;
  private readonly publishReplicasTimeoutMs: number;
  private readonly renewals: RenewalSchedule;
  private readonly lastStored = new LastStored();
  private readonly batcher = new PublishBatcher<PublishItem, PublishReply>(
    (items) => this.sendPublish(items),
    PUBLISH_BATCH,
  );
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
    const connections = config.connections ?? openSharedConnections(config.url, config.redisOptions);
    const target = connections.target;
    this.sharded = isCluster(connections.commands);
    this.keys = busKeys(config.keyPrefix, config.channelPrefix, this.sharded);
    this.fence = (config.fence ?? target.kind !== 'single') ? '1' : '0';
    this.publishReplicas = nonNegativeInteger(config.publishReplicas ?? 0, 'publishReplicas');
    this.publishReplicasTimeoutMs = positiveInteger(
      config.publishReplicasTimeoutMs ?? 1_000,
      'publishReplicasTimeoutMs',
    );
    this.historyMaxLen = positiveInteger(config.historyMaxLen ?? 1_000, 'historyMaxLen');
    this.historyTtlSeconds = config.historyTtlSeconds ?? 86_400;
    if (!Number.isSafeInteger(this.historyTtlSeconds) || this.historyTtlSeconds < 0) {
      throw new RangeError(`historyTtlSeconds must be a whole number >= 0, got ${this.historyTtlSeconds}`);
    }
    this.renewals = new RenewalSchedule(renewEveryMs(this.historyTtlSeconds));
    this.maxQueued = positiveInteger(config.maxQueuedPerSubscriber ?? 10_000, 'maxQueuedPerSubscriber');
    this.maxEventBytes = positiveInteger(config.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, 'maxEventBytes');
    this.logger = config.logger ?? silentLogger;
    this.drops = new DropLog(this.logger);
    this.ownsConnections = config.connections === undefined;
    // The subscriber connects on the first subscription, so a process that only publishes (a worker) holds none.
    this.publisher = connections.commands as PublishingRedis;
    this.subscriber = connections.subscriber;
    this.publisher.defineCommand('threadcastPublish', { lua: withFence(PUBLISH_SCRIPT, this.fence) });
    this.publisher.defineCommand('threadcastHead', { numberOfKeys: 2, lua: withFence(HEAD_SCRIPT, this.fence) });
    this.publisher.defineCommand('threadcastRead', { numberOfKeys: 2, lua: withFence(READ_SCRIPT, this.fence) });
    if (this.ownsConnections) {
      for (const connection of [this.publisher, this.subscriber]) {
        connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'redis connection error'));
      }
    }
    const decode = (channel: string, message: string) => this.decode(channel, message);
    this.hub =
      target.kind === 'cluster'
        ? new ShardedChannelHub<LiveItem>(
            connections.commands as Cluster,
            clusterNodeOptions(target, { ...config.redisOptions, connectionName: connectionNames.subscriber }),
            decode,
            RESYNC,
            this.logger,
            config.onShardConnection,
          )
        : new ChannelHub<LiveItem>(this.subscriber as Redis, decode, RESYNC, this.logger);
  }

  /**
   * Events published in the same turn of the event loop (a worker's window of a run, many runs' tokens) travel in
   * one script call per hash slot, each with the outcome a call of its own would have had.
   */
  async publish(event: StreamEvent, options: PublishOptions = {}): Promise<StoredEvent> {
    const encoded = encodeEvent(event, sizeLimit(this.maxEventBytes, options));
    const { threadId } = encoded.event;
    const meta = this.keys.meta(threadId);
    const item: PublishItem = {
      meta,
      log: this.keys.log(threadId),
      channel: this.keys.channel(threadId),
      json: encoded.json,
      producer: options.idempotency?.producer ?? '',
      sequence: options.idempotency?.sequence ?? 0,
      final: options.idempotency?.final ? '1' : '0',
    };
    const [epoch, seq, status, unconfirmed] = await this.batcher.add(
      this.sharded ? keySlot(meta) : 0,
      item,
      item.json.length,
    );
    if (unconfirmed) throw unconfirmed;
    if (status === 2) throw new ProducerEndedError(item.producer);
    if (status === 3) throw new OutOfOrderError(item.producer, item.sequence);
    if (status === 4) throw new PublishRefusedError(epoch);
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
    await this.hub.close();
    if (this.ownsConnections) await Promise.allSettled([closeClient(this.publisher), closeClient(this.subscriber)]);
  }

  private async sendPublish(items: PublishItem[]): Promise<PublishReply[]> {
    const args: (string | number)[] = [];
    for (const item of items) args.push(item.meta, item.log);
    args.push(
      this.historyMaxLen,
      this.historyTtlSeconds,
      this.sharded ? 'SPUBLISH' : 'PUBLISH',
      this.fence,
      newEpoch(),
    );
    // Where each thread's last event in the call is: the script keeps a thread's state only for one that comes again.
    const lastOfThread = new Map<string, number>();
    for (const [i, item] of items.entries()) lastOfThread.set(item.meta, i);
    const sentAt = this.renewals.time();
    const seen = new Set<string>();
    const renewing = new Set<string>();
    for (const [i, item] of items.entries()) {
      const again = (lastOfThread.get(item.meta) ?? i) > i ? '1' : '0';
      // Only the thread's first event in the call: the script remembers the thread for the others.
      const first = !seen.has(item.meta);
      seen.add(item.meta);
      const renew = first && this.historyTtlSeconds > 0 && this.renewals.due(item.meta);
      if (renew) renewing.add(item.meta);
      const expected =
        first && this.fence === '0' && item.producer !== ''
          ? this.lastStored.expected(item.meta, item.producer, item.sequence)
          : null;
      const flags = [item.final, again, renew ? '1' : '0'];
      args.push(item.channel, item.json, item.producer, item.sequence, item.sequence - 1, ...flags);
      args.push(expected?.epoch ?? '', expected?.seq ?? '');
    }
    const numberOfKeys = items.length * 2;
    const { flat, unconfirmed } =
      this.publishReplicas === 0
        ? { flat: await this.publisher.threadcastPublish(numberOfKeys, ...args), unconfirmed: null }
        : await this.publishReplicated(numberOfKeys, args);
    const replies: PublishReply[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const reply: PublishReply = [String(flat[i]), Number(flat[i + 1]), Number(flat[i + 2])];
      // Stored, or a duplicate of one stored before: not safe from a failover until replicas confirm it.
      if (unconfirmed && (reply[2] === 0 || reply[2] === 1)) reply[3] = unconfirmed;
      const item = items[replies.length];
      replies.push(reply);
      if (!item) continue;
      const [epoch, seq, status] = reply;
      // The first stored event of a thread the call renewed carried the renewal.
      if (status === 0 && renewing.delete(item.meta)) this.renewals.renewed(item.meta, sentAt);
      if (status === 0 && item.producer !== '' && item.final === '0')
        this.lastStored.stored(item.meta, item.producer, item.sequence, epoch, seq);
      else this.lastStored.forget(item.meta);
    }
    return replies;
  }

  /**
   * The publish script and a `WAIT` on the same connection, in one round trip (on a cluster, the pipeline goes
   * to the thread's primary, which is the node whose replicas must confirm). Returns the script's answers, and why
   * the events it stored (or had stored before) are not confirmed, if they are not.
   */
  private async publishReplicated(
    numberOfKeys: number,
    args: (string | number)[],
  ): Promise<{ flat: (string | number)[]; unconfirmed: Error | null }> {
    const pipeline = this.publisher.pipeline() as ReturnType<RedisClient['pipeline']> & {
      threadcastPublish(numberOfKeys: number, ...a: (string | number)[]): unknown;
    };
    pipeline.threadcastPublish(numberOfKeys, ...args);
    pipeline.wait(this.publishReplicas, this.publishReplicasTimeoutMs);
    const results = (await pipeline.exec()) ?? [];
    const [published, waited] = results as [[Error | null, (string | number)[]], [Error | null, number]];
    if (published[0]) throw published[0];
    let unconfirmed: Error | null = waited[0];
    if (!unconfirmed && Number(waited[1]) < this.publishReplicas)
      unconfirmed = new ReplicationTimeoutError(Number(waited[1]), this.publishReplicas, this.publishReplicasTimeoutMs);
    return { flat: published[1], unconfirmed };
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
      this.fence,
    );
    return { epoch, seq: Number(seq) };
  }

  /** Reads the thread's epoch together with some of its entries, atomically (read-2.lua). */
  private readLog(
    threadId: ThreadId,
    from: 'after' | 'newest',
    startOrCount: string,
  ): Promise<[string | null, StreamEntry[]]> {
    return this.publisher.threadcastRead(
      this.keys.meta(threadId),
      this.keys.log(threadId),
      from,
      startOrCount,
      this.fence,
      newEpoch(),
    );
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
   * A message on a thread's channel: the `{ id, event }` that publish-n.lua sends, or a bare StreamEvent
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
