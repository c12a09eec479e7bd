import { backoffDelay } from '@threadcast/common';
import type { RedisOptions } from 'ioredis';

/**
 * ioredis options for threadcast connections: reconnect forever with backoff, but fail a command fast
 * while Redis is unreachable instead of queueing it without bound (ioredis flushes its offline queue with
 * an error after each failed reconnect attempt once `maxRetriesPerRequest` is spent).
 */
export function resilientRedisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    // From 50 ms to 2 s, with jitter so a fleet of processes does not reconnect in step.
    retryStrategy: (attempt: number) => backoffDelay(attempt),
    ...overrides,
  };
}
