import { backoffDelay, type Logger } from '@threadcast/common';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { countChannels, deliverToListeners, type HubListener, type LiveHub } from './channel-hub.ts';
import { keySlot } from './key-slot.ts';
import { closeClient } from './redis-target.ts';

interface Shard {
  key: string;
  redis: Redis;
  /** The channels subscribed on this shard's connection. */
  channels: Set<string>;
}

interface ShardChannel<T> {
  listeners: Set<HubListener<T>>;
  slot: number;
  /** The shard it is subscribed on, or null while it is being placed (again). */
  shard: Shard | null;
  subscribed: Promise<void>;
}

/** How ioredis keeps a connection's subscriptions (it updates them on the server's unsolicited `sunsubscribe`). */
interface SubscriptionState {
  condition?: { subscriber?: false | { channels(set: 'ssubscribe'): string[] } };
}

/**
 * Sharded pub/sub on a Redis Cluster (SSUBSCRIBE): one subscriber connection per primary that owns a slot of
 * a subscribed channel, shared by every subscriber of this process, each message decoded once.
 *
 * Hand-written rather than ioredis's `shardedSubscribers`, which resubscribes after a failover or a slot move
 * without telling anyone when it is done (and drops the errors): listeners must hear `resync` once their
 * channel is subscribed again, to read from history what was published in between. So this hub places every
 * channel itself: when a shard's connection ends (its primary died) or the server unsubscribes a channel (its
 * slot moved), the channel is placed again on the slot's current owner, retried with backoff until the
 * cluster has settled, and only then are its listeners handed `resync`.
 */
export class ShardedChannelHub<T> implements LiveHub<T> {
  private readonly channels = new Map<string, ShardChannel<T>>();
  private readonly shards = new Map<string, Shard>();
  /** Channels whose shard was lost and that wait to be placed again. */
  private readonly orphans = new Set<string>();
  private rehomeTimer: ReturnType<typeof setTimeout> | null = null;
  private rehoming = false;
  private rehomeAgain = false;
  private rehomeAttempt = 0;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    /** Options of each shard connection (credentials, TLS, name); host and port come from the slot map. */
    private readonly nodeOptions: RedisOptions,
    private readonly decode: (channel: string, message: string) => T | null,
    private readonly resync: T,
    private readonly logger: Logger,
    /** Told of each shard connection this hub opens (for metrics). */
    private readonly onConnection: (redis: Redis, node: string) => void = () => {},
  ) {
    // ioredis refreshes its slot map on MOVED and every few seconds; a moved slot whose channels this hub still
    // holds elsewhere is caught here even if the old owner never said so (a partition rather than a crash).
    cluster.on('refresh', () => this.checkPlacement());
  }

  async join(name: string, listener: HubListener<T>): Promise<void> {
    let channel = this.channels.get(name);
    if (!channel) {
      const created: ShardChannel<T> = {
        listeners: new Set(),
        slot: keySlot(name),
        shard: null,
        subscribed: Promise.resolve(),
      };
      created.subscribed = this.place(name, created);
      this.channels.set(name, created);
      channel = created;
    }
    const joined = channel;
    joined.listeners.add(listener);
    try {
      await joined.subscribed;
    } catch (error) {
      joined.listeners.delete(listener);
      if (this.channels.get(name) === joined && joined.shard === null && !this.orphans.has(name)) {
        this.channels.delete(name);
      }
      throw error;
    }
  }

  leave(name: string, listener: HubListener<T>): void {
    const channel = this.channels.get(name);
    if (!channel?.listeners.delete(listener) || channel.listeners.size > 0) return;
    this.channels.delete(name);
    this.orphans.delete(name);
    const { shard } = channel;
    if (!shard) return;
    shard.channels.delete(name);
    if (shard.redis.status !== 'ready') return;
    shard.redis.sunsubscribe(name).catch((error: unknown) => {
      this.logger.warn({ err: error, channel: name }, 'sunsubscribe failed');
    });
  }

  /** Channels subscribed (or being subscribed again after a topology change), not those still joining. */
  get size(): { channels: number; listeners: number } {
    return countChannels(this.channels, (name, channel) => channel.shard !== null || this.orphans.has(name));
  }

  /** The shard connections open now: at most one per primary. */
  get connections(): number {
    return this.shards.size;
  }

  /**
   * Always null: a shard that fails over leaves the others serving, so the server stays ready (marking it unready
   * would refuse every new stream on every server for as long as one shard's failover lasts). The failing shard's
   * streams wait for it and read what they missed once it is back; a cluster that is down altogether shows in the
   * command client's state.
   */
  unavailable(): string | null {
    return null;
  }

  /** Channels waiting to be subscribed again after a topology change (for logs and tests). */
  get resubscribing(): number {
    return this.orphans.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.rehomeTimer) clearTimeout(this.rehomeTimer);
    const shards = [...this.shards.values()];
    this.shards.clear();
    await Promise.allSettled(shards.map((shard) => closeClient(shard.redis)));
  }

  /** Subscribes `name` on the shard that owns its slot now, following a MOVED once the slot map is refreshed. */
  private async place(name: string, channel: ShardChannel<T>, redirects = 0): Promise<void> {
    const owner = await this.ownerOf(channel.slot);
    const shard = this.shardFor(owner);
    try {
      await shard.redis.ssubscribe(name);
    } catch (error) {
      if (redirects < 3 && error instanceof Error && /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/.test(error.message)) {
        await this.refreshSlots();
        return this.place(name, channel, redirects + 1);
      }
      throw error;
    }
    if (this.channels.get(name) !== channel || this.closed) {
      // Everyone left while it was being subscribed.
      if (shard.redis.status === 'ready' && !this.channels.has(name)) shard.redis.sunsubscribe(name).catch(() => {});
      return;
    }
    channel.shard = shard;
    shard.channels.add(name);
    if (this.shards.get(shard.key) !== shard) this.orphan(shard, [name]);
  }

  /** The node key (`host:port`) of the primary that serves `slot`, from ioredis's slot map. */
  private async ownerOf(slot: number): Promise<string> {
    if (this.cluster.status !== 'ready') await this.clusterReady();
    const owner = this.cluster.slots[slot]?.[0];
    if (owner) return owner;
    await this.refreshSlots();
    const refreshed = this.cluster.slots[slot]?.[0];
    if (!refreshed) throw new Error(`no Redis Cluster node serves slot ${slot}`);
    return refreshed;
  }

  private clusterReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.cluster.off('ready', ready);
        reject(new Error(`the Redis Cluster is not ready (${this.cluster.status})`));
      }, 10_000);
      const ready = () => {
        clearTimeout(timer);
        resolve();
      };
      this.cluster.once('ready', ready);
    });
  }

  private refreshSlots(): Promise<void> {
    return new Promise((resolve) => this.cluster.refreshSlotsCache(() => resolve()));
  }

  private shardFor(key: string): Shard {
    const existing = this.shards.get(key);
    if (existing) return existing;
    const separator = key.lastIndexOf(':');
    const redis = new Redis({
      ...this.nodeOptions,
      host: key.slice(0, separator),
      port: Number(key.slice(separator + 1)),
      // A lost shard connection is not reconnected: its channels are placed again on the slots' new owners.
      retryStrategy: () => null,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
    });
    const shard: Shard = { key, redis, channels: new Set() };
    redis.on('smessage', (channel: string, message: string) => this.dispatch(channel, message));
    // The server unsubscribed channels of this connection (their slot moved away).
    redis.on('moved', () => this.onUnsubscribed(shard));
    redis.on('error', (error: Error) => this.logger.warn({ err: error, node: key }, 'redis shard subscriber error'));
    redis.once('end', () => this.onShardLost(shard));
    this.shards.set(key, shard);
    this.onConnection(redis, key);
    return shard;
  }

  private onShardLost(shard: Shard): void {
    if (this.shards.get(shard.key) === shard) this.shards.delete(shard.key);
    if (this.closed) return;
    this.logger.warn({ node: shard.key, channels: shard.channels.size }, 'lost a shard subscriber; resubscribing');
    this.orphan(shard, [...shard.channels]);
  }

  private onUnsubscribed(shard: Shard): void {
    const state = (shard.redis as unknown as SubscriptionState).condition?.subscriber;
    const still = new Set(state ? state.channels('ssubscribe') : []);
    const lost = [...shard.channels].filter((name) => !still.has(name));
    if (lost.length === 0) return;
    this.logger.info({ node: shard.key, channels: lost.length }, 'channels unsubscribed by the cluster; resubscribing');
    this.orphan(shard, lost);
  }

  /** After a slot map refresh: channels held on a node that no longer owns their slot are placed again. */
  private checkPlacement(): void {
    for (const shard of this.shards.values()) {
      const moved = [...shard.channels].filter((name) => {
        const channel = this.channels.get(name);
        return channel !== undefined && this.cluster.slots[channel.slot]?.[0] !== shard.key;
      });
      if (moved.length === 0) continue;
      if (shard.redis.status === 'ready') shard.redis.sunsubscribe(...moved).catch(() => {});
      this.orphan(shard, moved);
    }
  }

  private orphan(shard: Shard, names: string[]): void {
    for (const name of names) {
      shard.channels.delete(name);
      const channel = this.channels.get(name);
      if (!channel || (channel.shard !== shard && channel.shard !== null)) continue;
      channel.shard = null;
      this.orphans.add(name);
    }
    this.scheduleRehome(0);
  }

  private scheduleRehome(delayMs: number): void {
    if (this.closed || this.rehomeTimer) return;
    this.rehomeTimer = setTimeout(() => {
      this.rehomeTimer = null;
      void this.rehome();
    }, delayMs);
  }

  /** Places every orphaned channel again, then hands its listeners `resync`; what fails is retried with backoff. */
  private async rehome(): Promise<void> {
    if (this.rehoming) {
      this.rehomeAgain = true;
      return;
    }
    this.rehoming = true;
    try {
      await this.refreshSlots();
      const names = [...this.orphans];
      const results = await Promise.allSettled(
        names.map(async (name) => {
          const channel = this.channels.get(name);
          if (!channel) return null;
          await this.place(name, channel);
          return channel;
        }),
      );
      let failed = 0;
      results.forEach((result, i) => {
        const name = names[i] as string;
        if (result.status === 'rejected') {
          failed += 1;
          return;
        }
        const channel = result.value;
        if (!channel || channel.shard === null) return;
        this.orphans.delete(name);
        for (const listener of channel.listeners) listener.push(this.resync);
      });
      if (failed > 0) this.logger.warn({ channels: failed }, 'resubscribe failed; retrying');
    } finally {
      this.rehoming = false;
    }
    if (this.orphans.size > 0) {
      this.rehomeAttempt += 1;
      this.scheduleRehome(this.rehomeAgain ? 0 : backoffDelay(this.rehomeAttempt, 100, 2_000));
    } else {
      this.rehomeAttempt = 0;
    }
    this.rehomeAgain = false;
  }

  private dispatch(name: string, message: string): void {
    deliverToListeners(this.channels.get(name)?.listeners, this.decode, name, message);
  }
}
