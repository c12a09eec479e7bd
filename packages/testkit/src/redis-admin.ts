import { Redis } from 'ioredis';

/**
 * Runs `use` with a connection of its own to the Redis node (or Sentinel) on 127.0.0.1:`port`, closed again
 * afterwards. It never retries: an admin command to a node that is down must fail at once, not wait in a loop.
 */
export async function withRedis<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    protocol: 2,
    disableClientInfo: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5_000,
    // MIGRATE of a batch of keys can take seconds on a loaded machine.
    commandTimeout: 20_000,
  });
  // A failure reaches the caller through the rejected command; the event would only repeat it.
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** Sends one command to the node on 127.0.0.1:`port` (see `withRedis`). */
export function redisCommand(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
  return withRedis(port, (redis) => redis.call(command, args));
}

/** One `field:value` line of an `INFO` (or `CLUSTER INFO`) reply, or undefined when absent. */
export function infoField(info: unknown, field: string): string | undefined {
  const line = String(info)
    .split(/\r?\n/)
    .find((entry) => entry.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

/**
 * Polls `check` until it returns null, and fails after `timeoutMs` with what it last returned: a sentence
 * saying what did not hold yet. A check that throws (a node still starting, say) counts as not holding yet.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<string | null>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reason = 'not checked yet';
  for (;;) {
    try {
      const outcome = await check();
      if (outcome === null) return;
      reason = outcome;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not done within ${timeoutMs} ms (${reason})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
