import type { RedisOptions } from 'ioredis';

/** Reconnect delay: exponential from 50 ms, capped at 2 s, with jitter so a fleet does not reconnect in step. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(50 * 2 ** Math.min(attempt, 10), 2_000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * ioredis options for threadcast connections: reconnect forever with backoff, but fail a command fast
 * while Redis is unreachable instead of queueing it without bound (ioredis flushes its offline queue with
 * an error after each failed reconnect attempt once `maxRetriesPerRequest` is spent).
 */
export function resilientRedisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    ...overrides,
  };
}
