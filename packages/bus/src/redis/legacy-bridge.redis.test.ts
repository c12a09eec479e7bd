import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.ts';
import { listen } from '../testing.ts';
import { LegacyChannelBridge } from './legacy-bridge.ts';
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

describe('LegacyChannelBridge', () => {
  it('carries agent_run:<runId>:new_response into the thread once, resumable, with two bridges up', async () => {
    const keyPrefix = uniquePrefix();
    const lockKey = `${keyPrefix}legacy-bridge`;
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
      await raw.publish('agent_run:r1:new_response', event(thread, 'héllo '));
      await raw.publish('agent_run:r1:new_response', '{"not": "an event"}');
      await raw.publish('agent_run:r1:new_response', 'not json');
      await raw.publish(
        'agent_run:r1:new_response',
        JSON.stringify({ type: 'token', threadId: thread, content: 'x', ts: 1, runId: 'other' }),
      );
      await raw.publish('agent_run:r1:new_response', event(thread, 'wörld'));

      // The leader goes away, releasing its lock: the other takes over at its next check, and nothing is carried twice.
      const leader = bridges.find((b) => b.isLeading) as LegacyChannelBridge;
      await leader.close();
      const standby = bridges.find((b) => b !== leader) as LegacyChannelBridge;
      await expect.poll(() => standby.isLeading).toBe(true);
      await raw.publish('agent_run:r1:new_response', event(thread, ' 🚀'));

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
});
