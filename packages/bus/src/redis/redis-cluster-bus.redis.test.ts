import { silentLogger } from '@threadcast/common';
import { startRedisCluster, type TestRedisCluster, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEventBusContract } from '../event-bus.contract.ts';
import { expectExactOrReset, follow, listen, token } from '../testing.ts';
import { contractRedisBus } from './contract-bus.ts';
import { keySlot } from './key-slot.ts';
import { LegacyChannelBridge } from './legacy-bridge.ts';
import { busKeys, connectionNames, legacyBridgeLockKey, legacyRunChannel } from './names.ts';
import { openSharedConnections, RedisEventBus } from './redis-event-bus.ts';

// The cluster engine on a real 3-primary + 3-replica cluster: the bus contract, the connections it holds, and
// delivery through a primary's failover and a live slot migration.

let cluster: TestRedisCluster;
const opened: RedisEventBus[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 90_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});
afterAll(async () => {
  await cluster?.stop();
});

function target() {
  return {
    kind: 'cluster' as const,
    nodes: cluster.seeds.map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })),
  };
}

function makeBus(keyPrefix = uniquePrefix()): RedisEventBus {
  const bus = new RedisEventBus({ url: target(), keyPrefix });
  opened.push(bus);
  return bus;
}

describeEventBusContract('redis cluster', async (options) => contractRedisBus(target(), options));

/** Thread ids whose slots are served by `primaryPort` (found by trying: a slot is a hash of the id). */
async function threadsOn(primaryPort: number, count: number): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; found.length < count && i < 10_000; i += 1) {
    const threadId = `t${i}x${Math.random().toString(36).slice(2, 8)}`;
    if ((await cluster.primaryForSlot(keySlot(threadId))).port === primaryPort) found.push(threadId);
  }
  return found;
}

/** Every node's clients named like the bus's connections, by name. */
async function busClients(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of await cluster.nodes()) {
    if (node.failing) continue;
    const admin = new Redis(node.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await admin.connect();
      const list = (await admin.call('CLIENT', 'LIST')) as string;
      for (const name of list.matchAll(/name=(threadcast-\S*)/g))
        counts[name[1] as string] = (counts[name[1] as string] ?? 0) + 1;
    } finally {
      admin.disconnect();
    }
  }
  return counts;
}

/** Publishes `count` numbered tokens on `threadId` as an idempotent producer, retrying each until stored. */
function publishSteadily(bus: RedisEventBus, threadId: string, count: number, everyMs: number) {
  let published = 0;
  const done = (async () => {
    for (let sequence = 1; sequence <= count; sequence += 1) {
      for (;;) {
        try {
          await bus.publish(token(threadId, `${sequence} `), {
            idempotency: { producer: `producer-${threadId}`, sequence, final: sequence === count },
          });
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      published = sequence;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return { done, published: () => published };
}

describe('RedisEventBus on a cluster', () => {
  it('holds one subscriber per primary and at most one command connection per node, however many threads it streams', async () => {
    const bus = makeBus();
    const threads = Array.from({ length: 40 }, (_, i) => `conn${i}x${Date.now()}`);
    expect(
      new Set(threads.map((threadId) => keySlot(busKeys('', 'thread:', true).channel(threadId)))).size,
    ).toBeGreaterThan(3);
    const subs = threads.map((threadId) => follow(bus, threadId));
    await expect.poll(() => bus.stats(), { timeout: 15_000 }).toEqual({ subscribers: 40, channels: 40 });
    await bus.publish(token(threads[7] as string, 'hi'));
    const counts = await busClients();
    // One subscriber per primary; commands: ioredis's cluster client holds one connection per node (it asks any
    // node, replicas too, for the slot map).
    expect(counts[connectionNames.subscriber]).toBe(3);
    expect(counts[connectionNames.commands]).toBeLessThanOrEqual(6);
    for (const sub of subs) sub.stop();
    await expect.poll(() => bus.stats()).toEqual({ subscribers: 0, channels: 0 });
  }, 60_000);

  it('publishes a turn of events on threads of every shard, one call per slot, each thread in order', async () => {
    const bus = makeBus();
    const threads = Array.from({ length: 60 }, (_, i) => `turn${i}x${Date.now()}`);
    const stored = await Promise.all(
      [1, 2].flatMap((n) => threads.map((threadId) => bus.publish(token(threadId, `${n}`)))),
    );
    for (const threadId of threads) {
      const mine = stored.filter((event) => event.event.threadId === threadId);
      expect(mine.map((event) => [event.position.seq, event.event.content])).toEqual([
        [1, '1'],
        [2, '2'],
      ]);
    }
  }, 60_000);

  it('carries a stream through a live migration of its slot, exactly once and without a reset', async () => {
    const nodes = await cluster.nodes();
    const primaries = nodes.filter((node) => node.role === 'primary' && !node.failing);
    const [from, to] = primaries as [(typeof primaries)[0], (typeof primaries)[0]];
    const [threadId] = (await threadsOn(from.port, 1)) as [string];
    const keyPrefix = uniquePrefix();
    const bus = makeBus(keyPrefix);
    const publisher = makeBus(keyPrefix);
    const sub = follow(bus, threadId);
    await expect.poll(() => bus.stats().channels).toBe(1);
    const run = publishSteadily(publisher, threadId, 150, 10);
    await expect.poll(() => sub.events.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(30);
    await cluster.migrateSlot(keySlot(threadId), to.port);
    expect((await cluster.primaryForSlot(keySlot(threadId))).port).toBe(to.port);
    await run.done;
    await expect.poll(() => sub.events.at(-1)?.event.content, { timeout: 30_000 }).toBe('150 ');
    sub.stop();
    expect(expectExactOrReset(sub.events, 150)).toBe(false);
    expect(bus.readiness()).toEqual({ ready: true });
  }, 90_000);

  it("follows a primary's failover: each stream goes on exactly once, or says `reset` where the new primary may lack events", async () => {
    const primaries = (await cluster.nodes()).filter(
      (node) => node.role === 'primary' && !node.failing && node.slots.length > 0,
    );
    const victim = primaries[0];
    if (!victim) throw new Error('no primary');
    const threads = await threadsOn(victim.port, 3);
    const keyPrefix = uniquePrefix();
    const bus = makeBus(keyPrefix);
    const publisher = makeBus(keyPrefix);
    const subs = threads.map((threadId) => follow(bus, threadId));
    await expect.poll(() => bus.stats().channels).toBe(3);
    const runs = threads.map((threadId) => publishSteadily(publisher, threadId, 120, 20));
    await expect.poll(() => subs.every((sub) => sub.events.length >= 20), { timeout: 15_000 }).toBe(true);
    await cluster.failoverPrimaryOf(keySlot(threads[0] as string));
    await Promise.all(runs.map((run) => run.done));
    const resets = await Promise.all(
      subs.map(async (sub) => {
        await expect.poll(() => sub.events.at(-1)?.event.content, { timeout: 30_000 }).toBe('120 ');
        sub.stop();
        return expectExactOrReset(sub.events, 120);
      }),
    );
    // One shard failing over never made the bus unready: the other shards kept serving.
    expect(bus.readiness()).toEqual({ ready: true });
    console.info(
      `cluster failover: ${resets.filter(Boolean).length} of ${resets.length} streams needed a reset; ${subs.reduce((n, sub) => n + sub.errors(), 0)} subscription(s) ended with an error and were resumed`,
    );
  }, 120_000);

  it("carries the seed's agent_run:<runId>:new_response channels into threads, whichever node they are published on", async () => {
    const keyPrefix = uniquePrefix();
    const connections = openSharedConnections(target());
    const bus = new RedisEventBus({ url: target(), keyPrefix, connections });
    const bridge = new LegacyChannelBridge({
      url: '',
      bus,
      logger: silentLogger,
      lockKey: legacyBridgeLockKey(keyPrefix),
      connections,
    });
    try {
      await expect.poll(() => bridge.isLeading, { timeout: 15_000 }).toBe(true);
      const thread = `legacy${Date.now()}`;
      const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
      await expect.poll(() => bus.stats().subscribers, { timeout: 15_000 }).toBe(1);
      // Ordinary PUBLISH on a cluster reaches every node's subscribers: publish on each node in turn.
      const primaries = (await cluster.nodes()).filter((node) => node.role === 'primary' && !node.failing);
      for (const [i, node] of primaries.entries()) {
        const raw = new Redis(node.port, '127.0.0.1');
        await raw.publish(
          legacyRunChannel('r1'),
          JSON.stringify({ type: 'token', threadId: thread, content: `${i} `, ts: Date.now() }),
        );
        raw.disconnect();
      }
      const got = await sub.until(primaries.length, 15_000);
      sub.stop();
      expect(got.map((stored) => stored.event.content)).toEqual(primaries.map((_, i) => `${i} `));
      expect((await bus.history(thread)).map((stored) => stored.event.runId)).toEqual(primaries.map(() => 'r1'));
    } finally {
      await bridge.close();
      await bus.close();
      await Promise.allSettled([connections.commands.quit()]);
    }
  }, 60_000);
});
