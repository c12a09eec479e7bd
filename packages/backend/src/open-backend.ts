import { type EventBus, MemoryEventBus } from '@threadcast/bus';
import {
  closeClient,
  describeTarget,
  isCluster,
  LegacyChannelBridge,
  openSharedConnections,
  type RedisClient,
  RedisEventBus,
  type RedisTarget,
} from '@threadcast/bus/redis';
import { DEFAULT_KEY_PREFIX, legacyBridgeLockKey, storeKeys } from '@threadcast/bus/redis-names';
import { type Readiness, silentLogger, withTimeout } from '@threadcast/common';
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
  /** Which Redis: one server, a cluster, or a primary under Sentinel (null on the memory engine). */
  topology: RedisTarget['kind'] | null;
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
  /**
   * Resolves once a cluster or Sentinel set answers (a cluster with every slot served, a Sentinel set with its
   * primary found); rejects in words when it does not within `timeoutMs`. One Redis and the memory engine
   * resolve at once: a server on one Redis starts while it is down and reports itself not ready.
   */
  verify(timeoutMs?: number): Promise<void>;
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
  const target: RedisTarget | undefined =
    config.redis ?? (config.redisUrl ? { kind: 'single', url: config.redisUrl } : undefined);
  if (!target) {
    const bus = new MemoryEventBus({
      historyLimit: config.historyLimit,
      maxQueuedPerSubscriber: config.maxQueuedPerSubscriber,
      maxEventBytes: config.maxEventBytes,
    });
    return withActivity(
      {
        engine: 'memory',
        topology: null,
        bus,
        threads: new MemoryThreadStore(),
        runs: new MemoryRunStore(),
        queue: new MemoryRunQueue(),
        limiter: new MemoryRateLimiter(),
        stats: () => ({ redis: [], droppedMessages: 0 }),
        readiness: () => bus.readiness(),
        verify: async () => {},
        close: () => bus.close(),
      },
      new ActivityFeed(bus, logger),
    );
  }
  const keyPrefix = config.keyPrefix ?? DEFAULT_KEY_PREFIX;
  // Two connections for everything at any number of streams: commands, and one shared subscriber. On a cluster:
  // one command connection per primary, and one subscriber per primary that serves a subscribed channel.
  const connections = openSharedConnections(target);
  const clients =
    connections.subscriber === connections.commands
      ? [connections.commands]
      : [connections.commands, connections.subscriber];
  for (const connection of clients) {
    connection.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  }
  const watch = new RedisConnectionWatch();
  watch.add('commands', connections.commands);
  if (connections.subscriber !== connections.commands) watch.add('subscriber', connections.subscriber);
  const bus = new RedisEventBus({
    url: target,
    publishReplicas: config.publishReplicas,
    publishReplicasTimeoutMs: config.publishReplicasTimeoutMs,
    // One subscriber per shard, each its own series: `subscriber <host:port>`.
    onShardConnection: (redis, node) => watch.add(`subscriber ${node}`, redis, true),
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
          url: target.kind === 'single' ? target.url : '',
          bus,
          logger,
          lockKey: legacyBridgeLockKey(keyPrefix),
          connections,
        });
  return withActivity(
    {
      engine: 'redis',
      topology: target.kind,
      bus,
      threads: new RedisThreadStore(commands, keys),
      runs: new RedisRunStore(commands, keys),
      queue,
      limiter: new RedisRateLimiter(commands, keys),
      stats: () => ({ redis: watch.states(), droppedMessages: bus.drops.total + (bridge?.drops.total ?? 0) }),
      // The stores use the bus's command connection, so the bus's readiness covers them.
      readiness: () => bus.readiness(),
      verify: (timeoutMs = 15_000) => verifyReachable(target, commands, timeoutMs),
      async close() {
        await bridge?.close();
        await Promise.allSettled([bus.close(), queue.close()]);
        await Promise.allSettled(clients.map((client) => closeClient(client)));
      },
    },
    new ActivityFeed(bus, logger),
  );
}

async function verifyReachable(target: RedisTarget, commands: RedisClient, timeoutMs: number): Promise<void> {
  if (target.kind === 'single') return;
  const where = describeTarget(target);
  try {
    await withTimeout(
      (async () => {
        if (isCluster(commands)) {
          const info = String(await commands.cluster('INFO'));
          if (!/cluster_state:ok/.test(info))
            throw new Error('the cluster reports cluster_state:fail (not every slot is served)');
        } else {
          const role = (await commands.call('ROLE')) as [string, ...unknown[]];
          if (role[0] !== 'master') throw new Error(`the node the sentinels name is a ${role[0]}, not a primary`);
        }
      })(),
      timeoutMs,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not reach the ${where} within ${timeoutMs} ms: ${reason}`);
  }
}
