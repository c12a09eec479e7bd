import { readFileSync } from 'node:fs';
import { type Logger, withTimeout } from '@threadcast/common';
import { parseStreamEvent } from '@threadcast/contract';
import { Redis } from 'ioredis';
import { DropLog } from '../drop-log.ts';
import { newEpoch } from '../epoch.ts';
import type { Closable, EventBus } from '../event-bus.ts';
import { resilientRedisOptions } from './connection-options.ts';
import { connectionNames, LEGACY_CHANNEL_PATTERN, legacyBridgeLockKey, runIdOfLegacyChannel } from './names.ts';
import type { SharedConnections } from './redis-event-bus.ts';
import { closeClient, type RedisClient } from './redis-target.ts';

export interface LegacyBridgeConfig {
  url: string;
  bus: EventBus;
  logger: Logger;
  /** Key of the lock that makes one process in the fleet the bridge (default `threadcast:legacy-bridge`). */
  lockKey?: string;
  /** How long the bridge's lock lives unless renewed (default 5 s): the longest gap on failover. */
  lockMs?: number;
  /** Connections to share instead of opening two (their owner closes them); see `openSharedConnections`. */
  connections?: SharedConnections;
}

const RENEW_SCRIPT = readFileSync(new URL('./renew-lock-1.lua', import.meta.url), 'utf8');
const RELEASE_SCRIPT = readFileSync(new URL('./release-lock-1.lua', import.meta.url), 'utf8');

type LockingRedis = RedisClient & {
  threadcastRenewLock(lockKey: string, owner: string, lockMs: number): Promise<number>;
  threadcastReleaseLock(lockKey: string, owner: string): Promise<number>;
};

/**
 * Carries events that an external producer (the seed's Python worker) publishes on
 * `agent_run:<runId>:new_response` into threadcast: each valid StreamEvent is published on its thread
 * through the bus, so it is numbered, kept and resumable like any other. One process of the fleet holds
 * a lock and bridges; the others stand by and take over when its lock lapses, so every message is
 * carried once. Invalid messages are dropped, counted, and logged at most once per 10 s.
 */
export class LegacyChannelBridge implements Closable {
  private readonly commands: LockingRedis;
  private readonly subscriber: RedisClient;
  private readonly id = newEpoch();
  private readonly lockKey: string;
  private readonly lockMs: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private leading = false;
  private chain: Promise<unknown> = Promise.resolve();
  readonly drops: DropLog;
  forwarded = 0;
  private readonly ownsConnections: boolean;

  constructor(private readonly config: LegacyBridgeConfig) {
    this.lockKey = config.lockKey ?? legacyBridgeLockKey();
    this.lockMs = config.lockMs ?? 5_000;
    this.drops = new DropLog(config.logger);
    this.ownsConnections = config.connections === undefined;
    this.commands = (config.connections?.commands ??
      new Redis(config.url, resilientRedisOptions({ connectionName: connectionNames.legacyLock }))) as LockingRedis;
    this.commands.defineCommand('threadcastRenewLock', { numberOfKeys: 1, lua: RENEW_SCRIPT });
    this.commands.defineCommand('threadcastReleaseLock', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    this.subscriber =
      config.connections?.subscriber ??
      new Redis(config.url, resilientRedisOptions({ connectionName: connectionNames.legacyBridge, lazyConnect: true }));
    if (this.ownsConnections) {
      for (const connection of [this.commands, this.subscriber]) {
        connection.on('error', (error: Error) => config.logger.warn({ err: error }, 'redis connection error'));
      }
    }
    this.subscriber.on('pmessage', this.onMessage);
    // A shared subscriber does not resubscribe by itself after a reconnect; the pattern is ours to restore.
    this.subscriber.on('ready', this.onReady);
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.round(this.lockMs / 3)));
    void this.tick();
  }

  /** Whether this process is the one bridging now. */
  get isLeading(): boolean {
    return this.leading;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // Stop receiving first: what Redis sent before its reply still arrives, and is carried before the lock
    // is released, so the next bridge neither misses nor repeats it.
    // Each step is bounded: with Redis unreachable (a cluster client queues commands until it is back), the lock
    // lapses by itself and the process must still stop.
    if (this.ownsConnections) await closeClient(this.subscriber);
    else if (this.leading) await settled(this.subscriber.punsubscribe(LEGACY_CHANNEL_PATTERN));
    await settled(this.chain);
    this.subscriber.off('pmessage', this.onMessage);
    this.subscriber.off('ready', this.onReady);
    if (this.leading) await settled(this.commands.threadcastReleaseLock(this.lockKey, this.id));
    if (this.ownsConnections) await closeClient(this.commands);
  }

  private readonly onMessage = (_pattern: string, channel: string, message: string) => {
    this.chain = this.chain.then(() => this.forward(channel, message));
  };

  private readonly onReady = () => {
    if (this.leading && !this.ownsConnections) {
      this.subscriber.psubscribe(LEGACY_CHANNEL_PATTERN).catch((error: unknown) => {
        this.config.logger.warn({ err: error }, 'could not restore the legacy pattern subscription');
      });
    }
  };

  private async tick(): Promise<void> {
    try {
      const held = this.leading
        ? (await this.commands.threadcastRenewLock(this.lockKey, this.id, this.lockMs)) === 1
        : (await this.commands.set(this.lockKey, this.id, 'PX', this.lockMs, 'NX')) === 'OK';
      if (held && !this.leading) {
        await this.subscriber.psubscribe(LEGACY_CHANNEL_PATTERN);
        this.leading = true;
        this.config.logger.info({}, 'bridging the legacy agent_run channels');
      } else if (!held && this.leading) {
        this.leading = false;
        await this.subscriber.punsubscribe(LEGACY_CHANNEL_PATTERN);
      }
    } catch (error) {
      this.config.logger.warn({ err: error }, 'legacy bridge lock check failed');
    }
  }

  private async forward(channel: string, message: string): Promise<void> {
    const runId = runIdOfLegacyChannel(channel);
    const parsed = parseStreamEvent(message);
    const event = parsed.ok ? { ...parsed.event, runId: parsed.event.runId ?? runId } : null;
    if (!event || event.runId !== runId) {
      this.drop(channel, parsed.ok ? 'runId does not match the channel' : parsed.reason);
      return;
    }
    try {
      await this.config.bus.publish(event);
      this.forwarded += 1;
    } catch (error) {
      this.drop(channel, error instanceof Error ? error.message : String(error));
    }
  }

  private drop(channel: string, reason: string): void {
    this.drops.drop({ channel, reason }, 'dropped messages on a legacy channel');
  }
}

/** Waits for `promise` to settle, for at most 2 s, whatever its outcome. */
async function settled(promise: Promise<unknown>): Promise<void> {
  await withTimeout(promise, 2_000).catch(() => undefined);
}
