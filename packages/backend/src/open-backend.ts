import { type EventBus, MemoryEventBus } from '@threadcast/bus';
import { LegacyChannelBridge, openSharedConnections, RedisEventBus } from '@threadcast/bus/redis';
import { DEFAULT_KEY_PREFIX, legacyBridgeLockKey, storeKeys } from '@threadcast/bus/redis-names';
import { type Readiness, silentLogger } from '@threadcast/common';
import {
  ActivityFeed,
  MemoryRateLimiter,
  MemoryRunQueue,
  MemoryRunStore,
  MemoryThreadStore,
  type RateLimiter,
  type RunQueue,
  type RunStore,
  type ThreadStore,
  withActivity,
} from '@threadcast/store';
import {
  type RedisConnectionState,
  RedisConnectionWatch,
  RedisRateLimiter,
  RedisRunQueue,
  RedisRunStore,
  RedisThreadStore,
} from '@threadcast/store/redis';
import type { BackendConfig } from './backend-config.ts';

/** The engines a process runs on: the event bus, the thread and run stores, and the run queue. */
export interface Backend {
  engine: 'memory' | 'redis';
  bus: EventBus;
  threads: ThreadStore;
  runs: RunStore;
  queue: RunQueue;
  /** Rate limits that hold across every process on this engine. */
  limiter: RateLimiter;
  /** What the engines can tell about themselves right now (cheap: no I/O), for metrics. */
  stats(): BackendStats;
  /** Whether the engine can serve now (Redis reachable, the shared subscriber subscribed); memory always can. */
  readiness(): Readiness;
  close(): Promise<void>;
}

export interface BackendStats {
  /** This process's Redis connections (none on the memory engine). */
  redis: RedisConnectionState[];
  /** Messages on thread and seed channels dropped since start for not being threadcast events. */
  droppedMessages: number;
}

export function openBackend(config: BackendConfig): Backend {
  const logger = config.logger ?? silentLogger;
  if (!config.redisUrl) {
    const bus = new MemoryEventBus({
      historyLimit: config.historyLimit,
      maxQueuedPerSubscriber: config.maxQueuedPerSubscriber,
      maxEventBytes: config.maxEventBytes,
    });
    return withActivity(
      {
        engine: 'memory',
        bus,
        threads: new MemoryThreadStore(),
        runs: new MemoryRunStore(),
        queue: new MemoryRunQueue(),
        limiter: new MemoryRateLimiter(),
        stats: () => ({ redis: [], droppedMessages: 0 }),
        readiness: () => bus.readiness(),
        close: () => bus.close(),
      },
      new ActivityFeed(bus, logger),
    );
  }
  const keyPrefix = config.keyPrefix ?? DEFAULT_KEY_PREFIX;
  // Two connections for everything at any number of streams: commands, and one shared subscriber.
  const connections = openSharedConnections(config.redisUrl);
  for (const connection of [connections.commands, connections.subscriber]) {
    connection.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  }
  const watch = new RedisConnectionWatch();
  watch.add('commands', connections.commands);
  watch.add('subscriber', connections.subscriber);
  const bus = new RedisEventBus({
    url: config.redisUrl,
    keyPrefix,
    historyMaxLen: config.historyLimit,
    historyTtlSeconds: config.historyTtlSeconds,
    maxQueuedPerSubscriber: config.maxQueuedPerSubscriber,
    maxEventBytes: config.maxEventBytes,
    logger,
    connections,
  });
  const { commands } = connections;
  const keys = storeKeys(keyPrefix);
  const queue = new RedisRunQueue(commands, keys, logger, watch);
  const bridge =
    config.legacyBridge === false
      ? null
      : new LegacyChannelBridge({
          url: config.redisUrl,
          bus,
          logger,
          lockKey: legacyBridgeLockKey(keyPrefix),
          connections,
        });
  return withActivity(
    {
      engine: 'redis',
      bus,
      threads: new RedisThreadStore(commands, keys),
      runs: new RedisRunStore(commands, keys),
      queue,
      limiter: new RedisRateLimiter(commands, keys),
      stats: () => ({ redis: watch.states(), droppedMessages: bus.drops.total + (bridge?.drops.total ?? 0) }),
      // The stores use the bus's command connection, so the bus's readiness covers them.
      readiness: () => bus.readiness(),
      async close() {
        await bridge?.close();
        await Promise.allSettled([bus.close(), queue.close()]);
        await Promise.allSettled([commands.quit(), connections.subscriber.quit()]);
      },
    },
    new ActivityFeed(bus, logger),
  );
}
