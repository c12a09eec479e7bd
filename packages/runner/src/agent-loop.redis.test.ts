import { openBackend } from '@threadcast/backend';
import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { afterAll, beforeAll } from 'vitest';
import { describeAgentLoopContract } from './agent-loop.contract.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describeAgentLoopContract('redis', async () => {
  const keyPrefix = uniquePrefix();
  return [openBackend({ redisUrl: redis.url, keyPrefix }), openBackend({ redisUrl: redis.url, keyPrefix })];
});
