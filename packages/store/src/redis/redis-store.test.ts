import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { afterAll, beforeAll } from 'vitest';
import { openBackend } from '../open-backend.ts';
import { describeStoreContract } from '../store.contract.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describeStoreContract('redis', async () => {
  const keyPrefix = uniquePrefix();
  return [openBackend({ redisUrl: redis.url, keyPrefix }), openBackend({ redisUrl: redis.url, keyPrefix })];
});
