import { silentLogger } from '@threadcast/common';
import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../testing.ts';
import { LegacyChannelBridge } from './legacy-bridge.ts';
import { legacyBridgeLockKey, legacyRunChannel } from './names.ts';
import { RedisEventBus } from './redis-event-bus.ts';

let redis: TestRedis;
let raw: Redis;
beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
});
afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

const event = (threadId: string, content: string) =>
  JSON.stringify({ type: 'token', threadId, content, ts: Date.now() });

/** A bus and a bridge of their own (a fresh key prefix), with a lock that lives `lockMs`. */
function startBridge(lockMs: number) {
  const keyPrefix = uniquePrefix();
  const lockKey = legacyBridgeLockKey(keyPrefix);
  const bus = new RedisEventBus({ url: redis.url, keyPrefix });
  const bridge = new LegacyChannelBridge({ url: redis.url, bus, logger: silentLogger, lockKey, lockMs });
  return { bus, bridge, lockKey };
}

describe('LegacyChannelBridge', () => {
  it('carries agent_run:<runId>:new_response into the thread once, resumable, with two bridges up', async () => {
    const keyPrefix = uniquePrefix();
    const lockKey = legacyBridgeLockKey(keyPrefix);
    const bus = new RedisEventBus({ url: redis.url, keyPrefix });
    // The leader renews every lockMs / 3: the lock must outlast any stall of a loaded machine, or the standby
    // would take it while the leader still bridges. The handover below does not wait for it to lapse.
    const bridges = [0, 1].map(
      () => new LegacyChannelBridge({ url: redis.url, bus, logger: silentLogger, lockKey, lockMs: 3_000 }),
    );
    try {
      await expect.poll(() => bridges.filter((b) => b.isLeading).length).toBe(1);
      const thread = `legacy${Date.now()}`;
      const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      await raw.publish(legacyRunChannel('r1'), event(thread, 'héllo '));
      await raw.publish(legacyRunChannel('r1'), '{"not": "an event"}');
      await raw.publish(legacyRunChannel('r1'), 'not json');
      await raw.publish(
        legacyRunChannel('r1'),
        JSON.stringify({ type: 'token', threadId: thread, content: 'x', ts: 1, runId: 'other' }),
      );
      await raw.publish(legacyRunChannel('r1'), event(thread, 'wörld'));

      // The leader goes away, releasing its lock: the other takes over at its next check, and nothing is carried twice.
      const leader = bridges.find((b) => b.isLeading) as LegacyChannelBridge;
      await leader.close();
      const standby = bridges.find((b) => b !== leader) as LegacyChannelBridge;
      await expect.poll(() => standby.isLeading).toBe(true);
      await raw.publish(legacyRunChannel('r1'), event(thread, ' 🚀'));

      const received = await sub.until(3);
      sub.stop();
      await sub.done;
      expect(received.map((e) => [e.event.content, e.event.runId])).toEqual([
        ['héllo ', 'r1'],
        ['wörld', 'r1'],
        [' 🚀', 'r1'],
      ]);
      expect(sub.events).toHaveLength(3);
      expect(leader.drops.total + standby.drops.total).toBe(3);
      expect((await bus.history(thread)).map((e) => e.event.content)).toEqual(['héllo ', 'wörld', ' 🚀']);
    } finally {
      await Promise.all(bridges.map((b) => b.close()));
      await bus.close();
    }
  });

  it('renews its lock while it runs and releases it when it closes', async () => {
    // A lifetime a loaded machine's stalls stay well inside (it renews every third of it).
    const { bus, bridge, lockKey } = startBridge(1_000);
    try {
      await expect.poll(() => bridge.isLeading).toBe(true);
      const owner = await raw.get(lockKey);
      // Several lock lifetimes later the same lock is still held: it was renewed, it never lapsed.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(bridge.isLeading).toBe(true);
      expect(await raw.get(lockKey)).toBe(owner);
      expect(await raw.pttl(lockKey)).toBeGreaterThan(0);
      await bridge.close();
      expect(await raw.exists(lockKey)).toBe(0);
    } finally {
      await bridge.close();
      await bus.close();
    }
  });

  it('neither renews nor releases a lock that another process took', async () => {
    const { bus, bridge, lockKey } = startBridge(300);
    try {
      await expect.poll(() => bridge.isLeading).toBe(true);
      await raw.set(lockKey, 'another-process', 'PX', 60_000);
      await expect.poll(() => bridge.isLeading).toBe(false);
      await bridge.close();
      expect(await raw.get(lockKey)).toBe('another-process');
      expect(await raw.pttl(lockKey)).toBeGreaterThan(50_000);
    } finally {
      await bridge.close();
      await bus.close();
    }
  });
});
