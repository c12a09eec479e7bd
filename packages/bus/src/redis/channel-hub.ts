import { backoffDelay, type Logger } from '@threadcast/common';
import type { Redis } from 'ioredis';

/** Takes a channel's decoded messages (an `OrderedFeed`). */
export interface HubListener<T> {
  push(message: T): void;
}

/** What the bus joins and leaves threads' channels through: one shared subscriber, or one per cluster shard. */
export interface LiveHub<T> {
  join(name: string, listener: HubListener<T>): Promise<void>;
  leave(name: string, listener: HubListener<T>): void;
  readonly size: { channels: number; listeners: number };
  /** Why new subscriptions cannot be carried right now, or null when they can. */
  unavailable(): string | null;
  close(): Promise<void>;
}

/** Decodes a channel's message once, however many listeners it reaches, and hands it to each. */
export function deliverToListeners<T>(
  listeners: ReadonlySet<HubListener<T>> | undefined,
  decode: (channel: string, message: string) => T | null,
  channel: string,
  message: string,
): void {
  if (!listeners) return;
  const decoded = decode(channel, message);
  if (decoded === null) return;
  for (const listener of listeners) listener.push(decoded);
}

/** The channels (and their listeners) that `counted` keeps, for a hub's `size`. */
export function countChannels<C extends { listeners: ReadonlySet<unknown> }>(
  channels: Iterable<[string, C]>,
  counted: (name: string, channel: C) => boolean,
): { channels: number; listeners: number } {
  let total = 0;
  let listeners = 0;
  for (const [name, channel] of channels) {
    if (!counted(name, channel)) continue;
    total += 1;
    listeners += channel.listeners.size;
  }
  return { channels: total, listeners };
}

interface Channel<T> {
  listeners: Set<HubListener<T>>;
  subscribed: Promise<unknown>;
  /** Redis confirmed the subscription. */
  ready: boolean;
}

/**
 * Shares one subscriber connection among all local subscribers: a channel is subscribed when its first
 * listener joins and unsubscribed when its last one leaves, and each message is decoded once, however
 * many listeners it reaches.
 *
 * After a reconnect it subscribes every channel again itself and only then hands each listener
 * `resync`: ioredis may report `ready` before its own resubscription completes, and whatever was
 * published while the connection was down never arrives, so listeners must read it from history.
 */
export class ChannelHub<T> implements LiveHub<T> {
  private readonly channels = new Map<string, Channel<T>>();
  private connectedBefore = false;
  /** Counts reconnects; a resubscription clears `resubscribing` only if no newer reconnect started one. */
  private reconnects = 0;
  private resubscribing = false;

  constructor(
    private readonly connection: Redis,
    private readonly decode: (channel: string, message: string) => T | null,
    private readonly resync: T,
    private readonly logger: Logger,
  ) {
    connection.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    connection.on('ready', () => {
      if (this.connectedBefore) {
        this.reconnects += 1;
        this.resubscribing = true;
        void this.resubscribe(this.reconnects);
      }
      this.connectedBefore = true;
    });
  }

  /** Hands `listener` the channel's messages, subscribing it first if this is its first listener. */
  async join(name: string, listener: HubListener<T>): Promise<void> {
    let channel = this.channels.get(name);
    if (!channel) {
      const created: Channel<T> = { listeners: new Set(), subscribed: this.connection.subscribe(name), ready: false };
      created.subscribed.then(
        () => {
          created.ready = true;
        },
        () => {},
      );
      this.channels.set(name, created);
      channel = created;
    }
    const joined = channel;
    joined.listeners.add(listener);
    try {
      await joined.subscribed;
    } catch (error) {
      joined.listeners.delete(listener);
      // Let the next joiner try again rather than inherit this failure.
      if (this.channels.get(name) === joined) this.channels.delete(name);
      throw error;
    }
  }

  /** Stops handing `listener` the channel's messages; the last one to leave unsubscribes the channel. */
  leave(name: string, listener: HubListener<T>): void {
    const channel = this.channels.get(name);
    if (!channel?.listeners.delete(listener) || channel.listeners.size > 0) return;
    this.channels.delete(name);
    if (this.connection.status !== 'ready') return;
    this.connection.unsubscribe(name).catch((error: unknown) => {
      this.logger.warn({ err: error, channel: name }, 'unsubscribe failed');
    });
  }

  /** Channels Redis confirmed, and their listeners (one still subscribing is not counted yet). */
  get size(): { channels: number; listeners: number } {
    return countChannels(this.channels, (_, channel) => channel.ready);
  }

  /**
   * Why the shared subscriber cannot carry new subscriptions right now, or null when it can. Until it has
   * been ready once it is not counted as a problem: it connects lazily, on the first subscription.
   */
  unavailable(): string | null {
    const { status } = this.connection;
    if (!this.connectedBefore) return null;
    if (status !== 'ready') return `the shared subscriber connection is ${status}`;
    if (this.resubscribing) return 'the shared subscriber is resubscribing after a reconnect';
    return null;
  }

  /** The connection is its owner's to close. */
  async close(): Promise<void> {}

  private async resubscribe(reconnect: number, attempt = 0): Promise<void> {
    const names = [...this.channels.keys()];
    try {
      if (names.length > 0) await this.connection.subscribe(...names);
    } catch (error) {
      this.logger.warn({ err: error, channels: names.length }, 'resubscribe failed');
      // A drop is retried by the next `ready`; a refusal on a live connection (ACL, OOM) is retried here.
      if (reconnect === this.reconnects && this.connection.status === 'ready') {
        const retry = () => void this.resubscribe(reconnect, attempt + 1);
        setTimeout(retry, backoffDelay(attempt, 100, 5_000)).unref();
      }
      return;
    }
    if (reconnect === this.reconnects) this.resubscribing = false;
    this.logger.info({ channels: names.length }, 'resubscribed after reconnect');
    for (const name of names) {
      for (const listener of this.channels.get(name)?.listeners ?? []) listener.push(this.resync);
    }
  }

  private dispatch(name: string, message: string): void {
    deliverToListeners(this.channels.get(name)?.listeners, this.decode, name, message);
  }
}
