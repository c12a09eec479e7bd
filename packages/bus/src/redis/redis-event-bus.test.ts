import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { afterAll, beforeAll } from 'vitest';
import { describeEventBusContract } from '../event-bus.contract.ts';
import { RedisEventBus } from './redis-event-bus.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describeEventBusContract(
  'redis',
  async (options) =>
    new RedisEventBus({
      url: redis.url,
      keyPrefix: uniquePrefix(),
      historyMaxLen: options?.historyLimit,
      maxQueuedPerSubscriber: options?.maxQueuedPerSubscriber,
      maxEventBytes: options?.maxEventBytes,
    }),
);
