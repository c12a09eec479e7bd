import { connectionNames } from '@threadcast/bus/redis-names';
import { describeStoreContract } from '@threadcast/store/contract-suite';
import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from './open-backend.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describeStoreContract('redis backend', async () => {
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
      expect(names.sort()).toEqual([connectionNames.commands, connectionNames.subscriber]);
      controller.abort();
      await Promise.allSettled(pending);
    } finally {
      controller.abort();
      admin.disconnect();
      await backend.close();
    }
  });

  it('reports each connection it opened, up or down, and counts its reconnects', async () => {
    // Without the seed bridge, which would connect the subscriber at once to listen for its channels.
    const backend = openBackend({ redisUrl: redis.url, keyPrefix: uniquePrefix(), legacyBridge: false });
    const controller = new AbortController();
    const stateOf = () =>
      Object.fromEntries(
        backend.stats().redis.map(({ role, connected, reconnects }) => [role, { connected, reconnects }]),
      );
    try {
      // The subscriber connects on the first subscription, the queue's blocking connection on the first take.
      await backend.threads.create({ ownerId: 'alice', title: 'connect' });
      expect(stateOf()).toEqual({ commands: { connected: true, reconnects: 0 } });
      // Redis loses the queue's group in the restart below: this take fails then (a worker would take again).
      const take = backend.queue.take('w1', controller.signal).catch(() => null);
      // Its first read may fail in the restart too (the command runs out of retries): handled here, not left
      // unhandled until the end of the test.
      const subscription = backend.bus
        .subscribe('watched', { after: null, signal: controller.signal })
        [Symbol.asyncIterator]()
        .next()
        .catch(() => null);
      const up = { connected: true, reconnects: 0 };
      await expect.poll(stateOf).toEqual({ commands: up, subscriber: up, queue: up });
      await redis.restart();
      const back = { connected: true, reconnects: 1 };
      await expect.poll(stateOf).toEqual({ commands: back, subscriber: back, queue: back });
      controller.abort();
      await Promise.allSettled([take, subscription]);
    } finally {
      controller.abort();
      await backend.close();
    }
    await expect.poll(() => backend.stats().redis.filter((state) => state.connected)).toEqual([]);
  });
});
