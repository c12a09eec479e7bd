import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('connections', () => {
  it('holds two Redis connections however many threads it streams, the seed bridge included', async () => {
    const backend = openBackend({ redisUrl: redis.url, keyPrefix: uniquePrefix() });
    const admin = new Redis(redis.url, { connectionName: 'test-admin' });
    const controller = new AbortController();
    try {
      const pending = Array.from({ length: 50 }, (_, i) =>
        backend.bus.subscribe(`thread${i}`, { after: null, signal: controller.signal })[Symbol.asyncIterator]().next(),
      );
      await backend.threads.create({ ownerId: 'alice', title: 'uses the command connection' });
      await expect.poll(() => backend.bus.stats().channels).toBe(50);
      const clients = async () =>
        ((await admin.call('CLIENT', 'LIST')) as string)
          .trim()
          .split('\n')
          .filter((line) => !line.includes(' name=test-admin '));
      // The bridge's pattern is on the shared subscriber too, once this process holds its lock.
      await expect.poll(async () => (await clients()).filter((line) => / psub=1 /.test(line)).length).toBe(1);
      const names = (await clients()).map((line) => /name=(\S*)/.exec(line)?.[1]);
      expect(names.sort()).toEqual(['threadcast-bus', 'threadcast-bus-sub']);
      controller.abort();
      await Promise.allSettled(pending);
    } finally {
      controller.abort();
      admin.disconnect();
      await backend.close();
    }
  });
});
