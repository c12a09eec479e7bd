import { startRedisSentinel, type TestRedisSentinel, uniquePrefix } from '@threadcast/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProducerEndedError, ReplicationTimeoutError } from '../errors.ts';
import { describeEventBusContract } from '../event-bus.contract.ts';
import { expectExactOrReset, follow, token } from '../testing.ts';
import { contractRedisBus } from './contract-bus.ts';
import { RedisEventBus, type RedisEventBusConfig } from './redis-event-bus.ts';
import type { RedisTarget } from './redis-target.ts';

// The engine on a primary + replica under three sentinels: the bus contract, WAIT, and a failover mid-stream.

let sentinel: TestRedisSentinel;
const opened: RedisEventBus[] = [];

beforeAll(async () => {
  sentinel = await startRedisSentinel();
}, 90_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});
afterAll(async () => {
  await sentinel?.stop();
});

function target(): RedisTarget {
  return {
    kind: 'sentinel',
    name: sentinel.name,
    sentinels: sentinel.sentinels.map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) })),
  };
}

function makeBus(config: Partial<RedisEventBusConfig> = {}): RedisEventBus {
  const bus = new RedisEventBus({ url: target(), keyPrefix: uniquePrefix(), ...config });
  opened.push(bus);
  return bus;
}

describeEventBusContract('redis sentinel', async (options) => contractRedisBus(target(), options));

describe('RedisEventBus under Sentinel', () => {
  it('waits for a replica to confirm each event when asked (WAIT), and says so when none can', async () => {
    const bus = makeBus({ publishReplicas: 1, publishReplicasTimeoutMs: 2_000 });
    const stored = await bus.publish(token('waited', 'kept twice'));
    expect(stored.position.seq).toBe(1);
    const tooMany = makeBus({ publishReplicas: 2, publishReplicasTimeoutMs: 200 });
    const refused = tooMany.publish(token('waited2', 'one replica only'), {
      idempotency: { producer: 'p', sequence: 1 },
    });
    await expect(refused).rejects.toBeInstanceOf(ReplicationTimeoutError);
    await expect(refused).rejects.toThrow(/1 of 2 replica\(s\) confirmed it within 200 ms/);
    // The event is kept: a retry is answered as the duplicate it is.
    const history = await tooMany.history('waited2');
    expect(history.map((s) => s.event.content)).toEqual(['one replica only']);
    // In one call with a refused event: only what was stored waits on the replicas; the refusal stays a refusal.
    await tooMany
      .publish(token('waited3', 'end'), { idempotency: { producer: 'q', sequence: 1, final: true } })
      .catch(() => {});
    const [late, kept] = await Promise.allSettled([
      tooMany.publish(token('waited3', 'late'), { idempotency: { producer: 'q', sequence: 2 } }),
      tooMany.publish(token('waited3', 'other'), { idempotency: { producer: 'r', sequence: 1 } }),
    ]);
    expect(late.status === 'rejected' && late.reason).toBeInstanceOf(ProducerEndedError);
    expect(kept.status === 'rejected' && kept.reason).toBeInstanceOf(ReplicationTimeoutError);
  }, 30_000);

  it('follows the failover to the promoted replica: streams go on, told `reset` where events may be lost', async () => {
    const keyPrefix = uniquePrefix();
    const bus = makeBus({ keyPrefix });
    const publisher = makeBus({ keyPrefix });
    const threads = ['s1', 's2', 's3'].map((name) => `${name}x${Date.now()}`);
    const subs = threads.map((threadId) => follow(bus, threadId));
    await expect.poll(() => bus.stats().channels, { timeout: 15_000 }).toBe(3);
    const count = 120;
    const runs = threads.map(async (threadId) => {
      for (let sequence = 1; sequence <= count; sequence += 1) {
        for (;;) {
          try {
            await publisher.publish(token(threadId, `${sequence} `), {
              idempotency: { producer: `p-${threadId}`, sequence, final: sequence === count },
            });
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await expect.poll(() => subs.every((sub) => sub.events.length >= 20), { timeout: 15_000 }).toBe(true);
    await sentinel.killPrimary();
    await Promise.all(runs);
    let resets = 0;
    for (const sub of subs) {
      await expect.poll(() => sub.events.at(-1)?.event.content, { timeout: 30_000 }).toBe(`${count} `);
      sub.stop();
      if (expectExactOrReset(sub.events, count)) resets += 1;
    }
    await expect.poll(() => bus.readiness(), { timeout: 30_000 }).toEqual({ ready: true });
    console.info(
      `sentinel failover: ${resets} of ${subs.length} streams needed a reset; ${subs.reduce((n, sub) => n + sub.errors(), 0)} subscription(s) ended with an error and were resumed`,
    );
  }, 120_000);
});
