import type { Logger } from '@threadcast/common';
import type { StreamEvent } from '@threadcast/contract';
import { channelSubscribers, startRedisServer, type TestRedis, uniquePrefix } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../testing.ts';
import { busKeys, connectionNames, threadChannel } from './names.ts';
import { RedisEventBus, type RedisEventBusConfig } from './redis-event-bus.ts';

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

function makeBus(config: Partial<RedisEventBusConfig> = {}): RedisEventBus {
  const bus = new RedisEventBus({ url: redis.url, keyPrefix: uniquePrefix(), ...config });
  opened.push(bus);
  return bus;
}

const token = (threadId: string, content: string): StreamEvent => ({
  type: 'token',
  threadId,
  content,
  ts: Date.now(),
});

const numsub = (channel: string) => channelSubscribers(admin, channel);

async function busConnections(): Promise<string[]> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .map((line) => /name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(connectionNames.commands));
}

describe('RedisEventBus', () => {
  it('holds one subscriber connection for any number of streams, and unsubscribes when the last one leaves', async () => {
    const bus = makeBus();
    const threads = Array.from({ length: 10 }, (_, i) => `conn${i}${Date.now()}`);
    const subs = threads.flatMap((thread) =>
      Array.from({ length: 5 }, () => listen((signal) => bus.subscribe(thread, { after: null, signal }))),
    );
    await expect.poll(() => bus.stats()).toEqual({ subscribers: 50, channels: 10 });
    await expect.poll(() => numsub(threadChannel(threads[0] as string))).toBe(1);
    expect((await busConnections()).sort()).toEqual([connectionNames.commands, connectionNames.subscriber]);

    await bus.publish(token(threads[3] as string, 'hi'));
    for (const sub of subs.slice(15, 20)) expect((await sub.until(1))[0]?.event.content).toBe('hi');

    for (const sub of subs) sub.stop();
    await Promise.all(subs.map((sub) => sub.done));
    await expect.poll(() => bus.stats()).toEqual({ subscribers: 0, channels: 0 });
    await expect.poll(() => numsub(threadChannel(threads[0] as string))).toBe(0);
  });

  it("publishes on the seed's channel thread:<threadId> as {id, event} JSON", async () => {
    const bus = makeBus();
    const thread = `seed${Date.now()}`;
    const raw = new Redis(redis.url);
    const received = new Promise<string>((resolve) =>
      raw.on('message', (_channel, message: string) => resolve(message)),
    );
    await raw.subscribe(threadChannel(thread));
    const stored = await bus.publish(token(thread, 'héllo 🚀'));
    expect(JSON.parse(await received)).toEqual({ id: stored.id, event: stored.event });
    raw.disconnect();
  });

  it('drops malformed messages, counted, with a rate-limited log line, and keeps delivering', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (_obj, msg) => warnings.push(msg) };
    const bus = makeBus({ logger });
    const thread = `bad${Date.now()}`;
    const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
    await expect.poll(() => numsub(threadChannel(thread))).toBe(1);
    await admin.publish(threadChannel(thread), 'not json at all');
    await admin.publish(threadChannel(thread), JSON.stringify({ id: 'x:1', event: { type: 'nope' } }));
    await admin.publish(
      threadChannel(thread),
      JSON.stringify({ type: 'token', threadId: 'someone-else', content: 'x', ts: 1 }),
    );
    await bus.publish(token(thread, 'still here'));
    expect((await sub.until(1))[0]?.event.content).toBe('still here');
    sub.stop();
    await sub.done;
    expect(warnings).toEqual(['dropped messages on a thread channel']);
    expect(bus.drops.total).toBe(3);
  });

  it('delivers a bare StreamEvent published on the channel live, numbered after the last kept event', async () => {
    const bus = makeBus();
    const thread = `bare${Date.now()}`;
    const kept = await bus.publish(token(thread, 'kept'));
    const sub = listen((signal) => bus.subscribe(thread, { after: kept.position, signal }));
    await expect.poll(() => numsub(threadChannel(thread))).toBe(1);
    await admin.publish(
      threadChannel(thread),
      JSON.stringify({ type: 'status', threadId: thread, ts: 1, content: { state: 'running', runId: 'seed' } }),
    );
    await admin.publish(threadChannel(thread), JSON.stringify(token(thread, 'from redis-cli')));
    await bus.publish(token(thread, 'kept again'));
    const events = await sub.until(3);
    sub.stop();
    await sub.done;
    expect(events.map((e) => [e.id, e.event.type === 'token' ? e.event.content : e.event.type])).toEqual([
      [`${kept.position.epoch}:1.1`, 'status'],
      [`${kept.position.epoch}:1.2`, 'from redis-cli'],
      [`${kept.position.epoch}:2`, 'kept again'],
    ]);
    expect((await bus.history(thread)).map((e) => e.event.content)).toEqual(['kept', 'kept again']);
  });

  it('caps history length approximately and expires idle history', async () => {
    const prefix = uniquePrefix();
    const bus = makeBus({ keyPrefix: prefix, historyMaxLen: 100, historyTtlSeconds: 60 });
    const thread = `cap${Date.now()}`;
    for (let i = 0; i < 1_000; i += 1) await bus.publish(token(thread, String(i)));
    const history = await bus.history(thread);
    expect(history.length).toBeGreaterThanOrEqual(100);
    expect(history.length).toBeLessThan(1_000);
    expect(history.at(-1)?.position.seq).toBe(1_000);
    const ttl = await admin.ttl(busKeys(prefix).log(thread));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('starts a new epoch when the history is lost', async () => {
    const prefix = uniquePrefix();
    const bus = makeBus({ keyPrefix: prefix });
    const thread = `lost${Date.now()}`;
    const before = await bus.publish(token(thread, 'a'));
    await admin.del(busKeys(prefix).meta(thread), busKeys(prefix).log(thread));
    const after = await bus.publish(token(thread, 'b'));
    expect(after.position.seq).toBe(1);
    expect(after.position.epoch).not.toBe(before.position.epoch);
  });
});

describe('RedisEventBus through Redis faults', () => {
  /** Publishes once Redis answers again (the connection reconnects with backoff after a fault). */
  async function publishWhenBack(bus: RedisEventBus, event: StreamEvent) {
    let stored: Awaited<ReturnType<RedisEventBus['publish']>> | undefined;
    await expect
      .poll(
        async () => {
          stored = await bus.publish(event).catch(() => undefined);
          return stored !== undefined;
        },
        { interval: 20 },
      )
      .toBe(true);
    return stored as NonNullable<typeof stored>;
  }

  it('fails fast instead of queueing commands while Redis is unreachable', async () => {
    await using gone = await startRedisServer();
    const bus = new RedisEventBus({ url: gone.url, keyPrefix: uniquePrefix() });
    opened.push(bus);
    await bus.publish(token('ff', 'while up'));
    await gone.process.stop('SIGKILL');
    await expect(bus.publish(token('ff', 'while down'))).rejects.toThrow();
    await expect(bus.history('ff')).rejects.toThrow();
  });

  it('fills from history what the live feed missed while its connection was down', async () => {
    const bus = makeBus();
    const thread = `drop${Date.now()}`;
    const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
    await expect.poll(() => numsub(threadChannel(thread))).toBe(1);
    const total = 300;
    for (let i = 1; i <= total; i += 1) {
      if (i % 60 === 0) await admin.client('KILL', 'TYPE', 'PUBSUB');
      await bus.publish(token(thread, String(i)));
    }
    const events = await sub.until(total);
    sub.stop();
    await sub.done;
    expect(events.map((e) => e.event.content)).toEqual(Array.from({ length: total }, (_, i) => String(i + 1)));
    expect(sub.events).toHaveLength(total);
  });

  it('announces a reset when Redis restarts without its data, then goes on in the new history', async () => {
    await using lossy = await startRedisServer();
    const bus = new RedisEventBus({ url: lossy.url, keyPrefix: uniquePrefix() });
    opened.push(bus);
    const thread = `lost${Date.now()}`;
    const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
    await expect.poll(() => bus.stats().subscribers).toBe(1);
    await publishWhenBack(bus, token(thread, 'a'));
    await publishWhenBack(bus, token(thread, 'b'));
    await sub.until(2);
    await lossy.restart();
    const c = await publishWhenBack(bus, token(thread, 'c'));
    const events = await sub.until(4);
    sub.stop();
    await sub.done;
    expect(events.map((e) => (e.event.type === 'status' ? e.event.content.state : e.event.content))).toEqual([
      'a',
      'b',
      'reset',
      'c',
    ]);
    expect(c.position.seq).toBe(1);
    expect(events[2]?.id).toBe(`${c.position.epoch}:0`);
  });
});
