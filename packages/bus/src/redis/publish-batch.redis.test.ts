import { readFileSync } from 'node:fs';
import type { StreamEvent } from '@threadcast/contract';
import { startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError, OutOfOrderError, ProducerEndedError, PublishRefusedError } from '../errors.ts';
import type { PublishOptions, StoredEvent } from '../event-bus.ts';
import { busKeys } from './names.ts';
import { RedisEventBus, type RedisEventBusConfig } from './redis-event-bus.ts';

// Publishes made in one turn of the event loop travel in one script call (publish-n.lua): each must get the outcome a
// call of its own would have had, and one Redis refuses must not take the others down with it.

let redis: TestRedis;
let admin: Redis;
const opened: RedisEventBus[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

function makeBus(config: Partial<RedisEventBusConfig> = {}) {
  const keyPrefix = uniquePrefix();
  const bus = new RedisEventBus({ url: redis.url, keyPrefix, ...config });
  opened.push(bus);
  return { bus, keys: busKeys(keyPrefix), keyPrefix };
}

const token = (threadId: string, content: string): StreamEvent => ({ type: 'token', threadId, content, ts: 1 });

async function publishCalls(): Promise<number> {
  const stats = (await admin.info('commandstats')) as string;
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return calls('evalsha') + calls('eval');
}

type Outcome = { stored: string } | { error: string };

function outcome(publish: Promise<StoredEvent>): Promise<Outcome> {
  return publish.then(
    (stored) => ({ stored: `${stored.position.seq} ${stored.event.content}` }),
    (error: unknown) => ({ error: error instanceof Error ? error.name : String(error) }),
  );
}

/** A run's window as a worker might send it, with a retry, an end, a late event and a retried end among it. */
const steps: [content: string, options: PublishOptions][] = [
  ['a', { idempotency: { producer: 'run', sequence: 1 } }],
  ['b', { idempotency: { producer: 'run', sequence: 2 } }],
  ['b again', { idempotency: { producer: 'run', sequence: 2 } }],
  ['skips', { idempotency: { producer: 'run', sequence: 5 } }],
  ['other', {}],
  ['c', { idempotency: { producer: 'run', sequence: 3 } }],
  ['other run', { idempotency: { producer: 'run 2', sequence: 7 } }],
  ['end', { idempotency: { producer: 'run', sequence: 4, final: true } }],
  ['after the end', { idempotency: { producer: 'run', sequence: 5 } }],
  ['end again', { idempotency: { producer: 'run', sequence: 4, final: true } }],
  ['other run goes on', { idempotency: { producer: 'run 2', sequence: 8 } }],
];

describe('publishing in one call', () => {
  it('sends what one turn publishes in calls of up to 32 events, each thread numbered in order', async () => {
    const { bus } = makeBus();
    const threads = Array.from({ length: 100 }, (_, i) => `many${i}`);
    const before = await publishCalls();
    const stored = await Promise.all(
      [1, 2, 3].flatMap((n) => threads.map((thread) => bus.publish(token(thread, `${n}`)))),
    );
    expect((await publishCalls()) - before).toBe(Math.ceil(300 / 32));
    for (const thread of threads) {
      const mine = stored.filter((event) => event.event.threadId === thread);
      expect(mine.map((event) => [event.position.seq, event.event.content])).toEqual([
        [1, '1'],
        [2, '2'],
        [3, '3'],
      ]);
      expect((await bus.history(thread)).map((event) => event.id)).toEqual(mine.map((event) => event.id));
    }
  });

  it("gives each event of a run's window the answer a call of its own gives", async () => {
    const { bus } = makeBus();
    const oneByOne: Outcome[] = [];
    for (const [content, options] of steps) oneByOne.push(await outcome(bus.publish(token('alone', content), options)));
    const before = await publishCalls();
    const together = await Promise.all(
      steps.map(([content, options]) => outcome(bus.publish(token('together', content), options))),
    );
    expect((await publishCalls()) - before).toBe(1);
    expect(together).toEqual(oneByOne);
    expect(together.map((result) => ('error' in result ? result.error : result.stored))).toEqual([
      '1 a',
      '2 b',
      '2 b again',
      OutOfOrderError.name,
      '3 other',
      '4 c',
      '5 other run',
      '6 end',
      ProducerEndedError.name,
      '6 end again',
      '7 other run goes on',
    ]);
    expect((await bus.history('together')).map((event) => event.event.content)).toEqual(
      (await bus.history('alone')).map((event) => event.event.content),
    );
  });

  it("reads a run's state again whenever anything else was stored on its thread since its last event", async () => {
    const { bus, keyPrefix } = makeBus();
    const elsewhere = new RedisEventBus({ url: redis.url, keyPrefix });
    opened.push(elsewhere);
    const run = (sequence: number, final = false) => ({ idempotency: { producer: 'run', sequence, final } });
    expect((await bus.publish(token('watched', 'a'), run(1))).position.seq).toBe(1);
    // As if this process's first attempt at event 2 had landed and its reply been lost: the retry is a duplicate.
    expect((await elsewhere.publish(token('watched', 'b'), run(2))).position.seq).toBe(2);
    const retried = await bus.publish(token('watched', 'b'), run(2));
    expect(retried.position.seq).toBe(2);
    expect((await bus.publish(token('watched', 'c'), run(3))).position.seq).toBe(3);
    // The run is ended elsewhere (a cancel): its next token here is refused.
    await elsewhere.publish(token('watched', 'cancelled'), run(100, true));
    await expect(bus.publish(token('watched', 'd'), run(4))).rejects.toThrow(ProducerEndedError);
    expect((await bus.history('watched')).map((event) => event.event.content)).toEqual(['a', 'b', 'c', 'cancelled']);
  });

  it("starts a new history when the thread's was lost, even for a run that was going on there", async () => {
    const { bus, keys } = makeBus();
    const run = (sequence: number) => ({ idempotency: { producer: 'run', sequence } });
    const first = await bus.publish(token('wiped', 'a'), run(1));
    await admin.del(keys.meta('wiped'), keys.log('wiped'));
    const next = await bus.publish(token('wiped', 'b'), run(2));
    expect(next.position.epoch).not.toBe(first.position.epoch);
    expect(next.position.seq).toBe(1);
  });

  it('fails an event Redis refuses and the ones after it in the call, keeps the ones before, and can publish them again', async () => {
    const { bus, keys } = makeBus();
    await bus.publish(token('broken', 'first'));
    // Something else took the history's key: XADD is refused with WRONGTYPE.
    await admin.del(keys.log('broken'));
    await admin.set(keys.log('broken'), 'not a stream');
    const results = await Promise.all([
      outcome(bus.publish(token('fine', 'before'))),
      outcome(bus.publish(token('broken', 'refused'))),
      outcome(bus.publish(token('after', 'not tried'))),
    ]);
    expect(results).toEqual([
      { stored: '1 before' },
      { error: PublishRefusedError.name },
      { error: PublishRefusedError.name },
    ]);
    await expect(bus.publish(token('broken', 'again'))).rejects.toThrow(/WRONGTYPE/);
    expect(await bus.history('after')).toEqual([]);
    expect((await bus.publish(token('after', 'retried'))).position.seq).toBe(1);
    expect((await bus.history('fine')).map((event) => event.event.content)).toEqual(['before']);
  });

  it('refuses an invalid event on its own: the rest of its turn is stored', async () => {
    const { bus } = makeBus();
    const results = await Promise.all([
      outcome(bus.publish(token('mixed', 'kept'))),
      outcome(bus.publish({ type: 'nonsense', threadId: 'mixed' } as unknown as StreamEvent)),
      outcome(bus.publish(token('mixed', 'kept too'))),
    ]);
    expect(results).toEqual([{ stored: '1 kept' }, { error: InvalidEventError.name }, { stored: '2 kept too' }]);
  });

  it('sends an event larger than a call holds in a call of its own', async () => {
    const { bus } = makeBus();
    const big = 'x'.repeat(600 * 1024);
    const before = await publishCalls();
    const stored = await Promise.all([
      bus.publish(token('big', 'small')),
      bus.publish(token('big', big)),
      bus.publish(token('big', 'small again')),
    ]);
    expect((await publishCalls()) - before).toBe(3);
    expect(stored.map((event) => event.position.seq)).toEqual([1, 2, 3]);
  });

  it('shares a run with a producer in another language that runs publish-2.lua as docs/protocol.md says', async () => {
    const { bus, keys } = makeBus();
    const script = readFileSync(new URL('./publish-2.lua', import.meta.url), 'utf8');
    const external = (content: string, sequence: number, final = false) =>
      admin.eval(
        script,
        2,
        keys.meta('shared'),
        keys.log('shared'),
        keys.channel('shared'),
        JSON.stringify(token('shared', content)),
        'abcdefghij',
        1000,
        86_400,
        'run',
        sequence,
        final ? '1' : '0',
        'PUBLISH',
        '0',
      ) as Promise<[string, number, number]>;
    const [epoch, seq, status] = await external('from python', 1);
    expect([seq, status]).toEqual([1, 0]);
    const [ours, again] = await Promise.all([
      bus.publish(token('shared', 'from the bus'), { idempotency: { producer: 'run', sequence: 2 } }),
      bus.publish(token('shared', 'retried'), { idempotency: { producer: 'run', sequence: 1 } }),
    ]);
    // A duplicate is answered with the producer's last position, by either script.
    expect([ours.id, again.id]).toEqual([`${epoch}:2`, `${epoch}:2`]);
    expect(await external('end', 3, true)).toEqual([epoch, 3, 0]);
    await expect(
      bus.publish(token('shared', 'late'), { idempotency: { producer: 'run', sequence: 4 } }),
    ).rejects.toThrow(ProducerEndedError);
    expect((await bus.history('shared')).map((event) => event.event.content)).toEqual([
      'from python',
      'from the bus',
      'end',
    ]);
  });

  it("renews a busy history's expiry with its first event, then not again within a minute (a hundredth of a day)", async () => {
    const { bus, keys, keyPrefix } = makeBus({ historyTtlSeconds: 86_400 });
    await bus.publish(token('busy', 'first'));
    expect(await admin.ttl(keys.log('busy'))).toBeGreaterThan(86_000);
    expect(await admin.ttl(keys.meta('busy'))).toBeGreaterThan(86_000);
    await admin.expire(keys.log('busy'), 1_000);
    await admin.expire(keys.meta('busy'), 1_000);
    await Promise.all([bus.publish(token('busy', 'soon after')), bus.publish(token('busy', 'and again'))]);
    expect(await admin.ttl(keys.log('busy'))).toBeLessThanOrEqual(1_000);
    // Another process (another bus) has not renewed it yet: it does, with its first event.
    const other = new RedisEventBus({ url: redis.url, keyPrefix, historyTtlSeconds: 86_400 });
    opened.push(other);
    await other.publish(token('busy', 'from another process'));
    expect(await admin.ttl(keys.log('busy'))).toBeGreaterThan(86_000);
    expect(await admin.ttl(keys.meta('busy'))).toBeGreaterThan(86_000);
  });

  it('gives a new history its expiry even when the caller asks for no renewal', async () => {
    const { bus, keys } = makeBus({ historyTtlSeconds: 86_400 });
    await bus.publish(token('lost', 'first'));
    await admin.del(keys.meta('lost'), keys.log('lost'));
    await bus.publish(token('lost', 'in a new history'));
    expect(await admin.ttl(keys.log('lost'))).toBeGreaterThan(86_000);
    expect(await admin.ttl(keys.meta('lost'))).toBeGreaterThan(86_000);
  });
});
