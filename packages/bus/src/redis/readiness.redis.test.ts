import { channelSubscribers, startRedisServer, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { listen } from '../testing.ts';
import { threadChannel } from './names.ts';
import { RedisEventBus } from './redis-event-bus.ts';

describe('RedisEventBus readiness', () => {
  it('is not ready while Redis is down, and ready again only once its channels are subscribed again', async () => {
    await using redis = await startRedisServer();
    const bus = new RedisEventBus({ url: redis.url, keyPrefix: uniquePrefix() });
    const admin = () => new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const thread = `ready${Date.now()}`;
    const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
    try {
      await expect.poll(() => bus.readiness()).toEqual({ ready: true });
      // Live, past its history read (which would fail if Redis went away during it).
      await bus.publish({ type: 'token', threadId: thread, content: 'a', ts: Date.now() });
      await sub.until(1);

      await redis.kill();
      await expect.poll(() => bus.readiness().ready).toBe(false);
      expect(bus.readiness()).toMatchObject({ reason: expect.stringMatching(/unreachable|subscriber/) });

      await redis.start();
      await expect.poll(() => bus.readiness()).toEqual({ ready: true });
      expect(bus.stats().subscribers).toBe(1);
      // Ready means the live feed is back: the restarted server already counts the shared subscriber.
      const client = admin();
      try {
        expect(await channelSubscribers(client, threadChannel(thread))).toBe(1);
      } finally {
        client.disconnect();
      }
    } finally {
      sub.stop();
      await sub.done.catch(() => {});
      await bus.close();
    }
  });

  it('is not ready while Redis refuses the resubscription, and retries it until it is accepted', async () => {
    await using redis = await startRedisServer();
    const bus = new RedisEventBus({ url: redis.url, keyPrefix: uniquePrefix() });
    const admin = new Redis(redis.url);
    const thread = `refused${Date.now()}`;
    const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
    try {
      await bus.publish({ type: 'token', threadId: thread, content: 'a', ts: Date.now() });
      await sub.until(1);
      // Taking channel rights away disconnects the subscriber; its reconnect is then refused SUBSCRIBE.
      await admin.call('ACL', 'SETUSER', 'default', 'resetchannels');
      await expect
        .poll(() => bus.readiness())
        .toEqual({ ready: false, reason: 'the shared subscriber is resubscribing after a reconnect' });
      await admin.call('ACL', 'SETUSER', 'default', 'allchannels');
      await expect.poll(() => bus.readiness()).toEqual({ ready: true });
      await bus.publish({ type: 'token', threadId: thread, content: 'b', ts: Date.now() });
      expect((await sub.until(2)).map((e) => e.event.content)).toEqual(['a', 'b']);
    } finally {
      sub.stop();
      await sub.done.catch(() => {});
      await bus.close();
      admin.disconnect();
    }
  });

  it('counts a subscriber that has not connected yet as ready (it connects on the first subscription)', async () => {
    await using redis = await startRedisServer();
    const bus = new RedisEventBus({ url: redis.url, keyPrefix: uniquePrefix() });
    try {
      await expect.poll(() => bus.readiness()).toEqual({ ready: true });
      expect(bus.stats()).toEqual({ subscribers: 0, channels: 0 });
    } finally {
      await bus.close();
    }
  });
});
