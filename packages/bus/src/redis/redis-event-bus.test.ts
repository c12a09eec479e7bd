import { startRedisServer, type TestRedis } from '@threadcast/testkit';
import { afterAll, beforeAll } from 'vitest';
import { describeEventBusContract } from '../event-bus.contract.ts';
import { contractRedisBus } from './contract-bus.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describeEventBusContract('redis', async (options) => contractRedisBus(redis.url, options));
