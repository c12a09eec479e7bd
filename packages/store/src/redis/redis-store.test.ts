import { storeKeys } from '@threadcast/bus/redis-names';
import { silentLogger } from '@threadcast/common';
import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { describeStoreContract, type StoreSet } from '../store.contract.ts';
import { RedisRateLimiter } from './redis-rate-limiter.ts';
import { RedisRunQueue } from './redis-run-queue.ts';
import { RedisRunStore } from './redis-run-store.ts';
import { RedisThreadStore } from './redis-thread-store.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

/** The Redis stores of one process: one command connection for all of them, as `openBackend` wires them. */
function openStores(keyPrefix: string): StoreSet {
  const commands = new Redis(redis.url);
  const keys = storeKeys(keyPrefix);
  const queue = new RedisRunQueue(commands, keys, silentLogger);
  return {
    threads: new RedisThreadStore(commands, keys),
    runs: new RedisRunStore(commands, keys),
    queue,
    limiter: new RedisRateLimiter(commands, keys),
    async close() {
      await queue.close();
      await commands.quit();
    },
  };
}

describeStoreContract('redis', async () => {
  const keyPrefix = uniquePrefix();
  return [openStores(keyPrefix), openStores(keyPrefix)];
});
