import type { StreamEvent } from '@threadcast/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EventTooLargeError,
  InvalidEventError,
  OutOfOrderError,
  ProducerEndedError,
  SlowConsumerError,
} from './errors.ts';
import type { Closable, EventBus, StoredEvent } from './event-bus.ts';
import { listen, take } from './testing.ts';

export interface ContractBusOptions {
  historyLimit?: number;
  maxQueuedPerSubscriber?: number;
  maxEventBytes?: number;
}

export type MakeBus = (options?: ContractBusOptions) => Promise<EventBus & Closable>;

let counter = 0;
function threadId(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 8)}`;
}

function token(thread: string, content: string, ts = Date.now()): StreamEvent {
  return { type: 'token', threadId: thread, content, ts, runId: 'r1' };
}

/** Waits until the bus reports no subscription at all (leaving may take one event-loop turn). */
async function expectReleased(bus: EventBus): Promise<void> {
  await expect.poll(() => bus.stats(), { interval: 5 }).toEqual({ subscribers: 0, channels: 0 });
}

/** The behaviour every engine must have. Run by each engine's test file with a factory of fresh buses. */
export function describeEventBusContract(name: string, makeBus: MakeBus): void {
  describe(`EventBus contract: ${name}`, () => {
    const opened: Closable[] = [];
    const open = async (options?: ContractBusOptions) => {
      const bus = await makeBus(options);
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('gives each event of a thread the next position, in one epoch', async () => {
      const bus = await open();
      const thread = threadId();
      const a = await bus.publish(token(thread, 'a'));
      const b = await bus.publish(token(thread, 'b'));
      expect(a.position.seq).toBe(1);
      expect(b.position).toEqual({ epoch: a.position.epoch, seq: 2 });
      expect(b.id).toBe(`${a.position.epoch}:2`);
      const other = await bus.publish(token(threadId(), 'x'));
      expect(other.position.seq).toBe(1);
    });

    it('delivers live events in publish order, once each, with non-ASCII text intact', async () => {
      const bus = await open();
      const thread = threadId();
      const texts = ['héllo ', 'wörld ', '你好 ', '🚀✨ ', '👩‍💻', ...Array.from({ length: 95 }, (_, i) => `t${i} `)];
      const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      for (const text of texts) await bus.publish(token(thread, text));
      const received = await sub.until(texts.length);
      sub.stop();
      await sub.done;
      expect(received.map((e) => e.event.content)).toEqual(texts);
      expect(received.map((e) => e.position.seq)).toEqual(texts.map((_, i) => i + 1));
    });

    it('keeps threads apart', async () => {
      const bus = await open();
      const mine = threadId();
      const other = threadId();
      const sub = listen((signal) => bus.subscribe(mine, { after: null, signal }));
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      await bus.publish(token(other, 'not for you'));
      await bus.publish(token(mine, 'for you'));
      const [only] = await sub.until(1);
      sub.stop();
      await sub.done;
      expect(sub.events).toHaveLength(1);
      expect(only?.event.content).toBe('for you');
    });

    it('replays history after a position, then continues live without duplicates', async () => {
      const bus = await open();
      const thread = threadId();
      const first = await bus.publish(token(thread, '1'));
      await bus.publish(token(thread, '2'));
      await bus.publish(token(thread, '3'));
      const sub = listen((signal) => bus.subscribe(thread, { after: first.position, signal }));
      const replayed = await sub.until(2);
      expect(replayed.map((e) => e.event.content)).toEqual(['2', '3']);
      await bus.publish(token(thread, '4'));
      const all = await sub.until(3);
      sub.stop();
      await sub.done;
      expect(all.map((e) => e.event.content)).toEqual(['2', '3', '4']);
      expect(sub.events).toHaveLength(3);
    });

    it('loses nothing and doubles nothing when events are published while it subscribes', async () => {
      const bus = await open();
      const thread = threadId();
      const total = 200;
      const publishing = (async () => {
        for (let i = 1; i <= total; i += 1) {
          await bus.publish(token(thread, String(i)));
          if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const subs = Array.from({ length: 5 }, () => listen((signal) => bus.subscribe(thread, { after: null, signal })));
      await publishing;
      for (const sub of subs) {
        const events = await sub.until(total);
        sub.stop();
        await sub.done;
        expect(events.map((e) => e.position.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(sub.events).toHaveLength(total);
      }
    });

    it('follows a thread for a push consumer that is congested now and then, losing and doubling nothing', async () => {
      const bus = await open();
      const thread = threadId();
      const total = 300;
      for (let i = 1; i <= 20; i += 1) await bus.publish(token(thread, String(i)));
      const received: number[] = [];
      const ends: unknown[] = [];
      let pauses = 0;
      const consumer = {
        deliver(stored: StoredEvent) {
          received.push(stored.position.seq);
          if (stored.position.seq % 7 !== 0) return true;
          // As a congested socket would: nothing more until it drains, a turn later.
          pauses += 1;
          setImmediate(() => feed.resume());
          return false;
        },
        end(failure?: unknown) {
          ends.push(failure);
        },
      };
      const feed = bus.follow(thread, { after: null }, consumer);
      await expect.poll(() => received.length).toBe(20);
      for (let i = 21; i <= total; i += 1) {
        await bus.publish(token(thread, String(i)));
        if (i % 10 === 0) await expect.poll(() => received.length, { interval: 1 }).toBe(i);
      }
      await expect.poll(() => received.length).toBe(total);
      feed.stop();
      feed.stop();
      expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(pauses).toBe(Math.floor(total / 7));
      expect(ends).toEqual([undefined]);
      await bus.publish(token(thread, 'after the end'));
      expect(received).toHaveLength(total);
      await expectReleased(bus);
    });

    it('ends a push consumer that stays congested with SlowConsumerError, and releases it', async () => {
      const bus = await open({ maxQueuedPerSubscriber: 5 });
      const thread = threadId();
      const received: string[] = [];
      let dropped = 0;
      const ended = new Promise<unknown>((resolve) => {
        bus.follow(
          thread,
          { after: null, observer: { replayed() {}, dropped: (count) => (dropped += count) } },
          {
            deliver(stored) {
              received.push(String(stored.event.content));
              return false;
            },
            end: resolve,
          },
        );
      });
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      for (let i = 0; i < 10; i += 1) await bus.publish(token(thread, String(i)));
      // One taken before the consumer asked to wait, five waiting in the feed, the sixth overflows.
      expect(await ended).toBeInstanceOf(SlowConsumerError);
      expect(received).toEqual(['0']);
      expect(dropped).toBe(6);
      await expectReleased(bus);
    });

    it('starts at the oldest retained event when asked for none', async () => {
      const bus = await open({ historyLimit: 3 });
      const thread = threadId();
      const published = ['1', '2', '3', '4', '5'];
      for (const text of published) await bus.publish(token(thread, text));
      // Engines may trim lazily (Redis MAXLEN ~): at least the newest `historyLimit` stay, as one unbroken tail.
      const retained = (await bus.history(thread)).map((e) => e.event.content);
      expect(retained.length).toBeGreaterThanOrEqual(3);
      expect(retained).toEqual(published.slice(-retained.length));
      const fromStart = await take((signal) => bus.subscribe(thread, { after: null, signal }), retained.length);
      expect(fromStart.map((e) => e.event.content)).toEqual(retained);
      const lastTwo = await bus.history(thread, { limit: 2 });
      expect(lastTwo.map((e) => e.event.content)).toEqual(['4', '5']);
      expect(await bus.history(threadId())).toEqual([]);
    });

    it('announces a reset before replaying when history was trimmed past the position', async () => {
      const bus = await open({ historyLimit: 3 });
      const thread = threadId();
      const first = await bus.publish(token(thread, '1'));
      for (let i = 2; i <= 300; i += 1) await bus.publish(token(thread, String(i)));
      const retained = await bus.history(thread);
      const oldest = retained[0]?.position.seq ?? 0;
      expect(oldest).toBeGreaterThan(2);
      const events = await take((signal) => bus.subscribe(thread, { after: first.position, signal }), 2);
      expect(events[0]?.event).toMatchObject({ type: 'status', content: { state: 'reset' } });
      expect(events[0]?.id).toBe(`${first.position.epoch}:${oldest - 1}`);
      expect(events[1]?.position.seq).toBe(oldest);
    });

    it('announces a reset before replaying a position of another epoch, even with nothing retained', async () => {
      const bus = await open();
      const thread = threadId();
      for (const text of ['1', '2']) await bus.publish(token(thread, text));
      const replayed = await take((signal) => bus.subscribe(thread, { after: { epoch: 'gone', seq: 9 }, signal }), 3);
      expect(replayed.map((e) => e.event.type)).toEqual(['status', 'token', 'token']);
      expect(replayed[0]?.event.content).toMatchObject({ state: 'reset' });
      expect(replayed[0]?.id).toBe(`${replayed[1]?.position.epoch}:0`);

      const empty = threadId();
      const sub = listen((signal) => bus.subscribe(empty, { after: { epoch: 'gone', seq: 9 }, signal }));
      const [reset] = await sub.until(1);
      expect(reset?.event).toMatchObject({ type: 'status', content: { state: 'reset' } });
      const next = await bus.publish(token(empty, 'fresh'));
      expect(reset?.id).toBe(`${next.position.epoch}:0`);
      const [, fresh] = await sub.until(2);
      sub.stop();
      await sub.done;
      expect(fresh?.event.content).toBe('fresh');
      expect(sub.events).toHaveLength(2);
    });

    it('refuses new events of a producer after its final one, but still answers its retries', async () => {
      const bus = await open();
      const thread = threadId();
      await bus.publish(token(thread, 'a'), { idempotency: { producer: 'run-9', sequence: 1 } });
      const end = await bus.publish(token(thread, 'end'), {
        idempotency: { producer: 'run-9', sequence: 99, final: true },
      });
      await expect(
        bus.publish(token(thread, 'later'), { idempotency: { producer: 'run-9', sequence: 100 } }),
      ).rejects.toBeInstanceOf(ProducerEndedError);
      const retriedEnd = await bus.publish(token(thread, 'end'), {
        idempotency: { producer: 'run-9', sequence: 99, final: true },
      });
      expect(retriedEnd.id).toBe(end.id);
      expect((await bus.history(thread)).map((e) => e.event.content)).toEqual(['a', 'end']);
    });

    it("refuses an event that skips ahead of its producer, so a producer's events land in order", async () => {
      const bus = await open();
      const thread = threadId();
      await bus.publish(token(thread, 'a'), { idempotency: { producer: 'run-7', sequence: 1 } });
      await expect(
        bus.publish(token(thread, 'c'), { idempotency: { producer: 'run-7', sequence: 3 } }),
      ).rejects.toBeInstanceOf(OutOfOrderError);
      await bus.publish(token(thread, 'b'), { idempotency: { producer: 'run-7', sequence: 2 } });
      await bus.publish(token(thread, 'c'), { idempotency: { producer: 'run-7', sequence: 3 } });
      expect((await bus.history(thread)).map((e) => e.event.content)).toEqual(['a', 'b', 'c']);
    });

    it('stores a retried publish once and answers with its first position', async () => {
      const bus = await open();
      const thread = threadId();
      const sub = listen((signal) => bus.subscribe(thread, { after: null, signal }));
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      const run = { producer: 'run-1', sequence: 1 };
      const first = await bus.publish(token(thread, 'a'), { idempotency: run });
      const retried = await bus.publish(token(thread, 'a'), { idempotency: run });
      const second = await bus.publish(token(thread, 'b'), { idempotency: { producer: 'run-1', sequence: 2 } });
      const otherRun = await bus.publish(token(thread, 'c'), { idempotency: { producer: 'run-2', sequence: 1 } });
      expect(retried.id).toBe(first.id);
      expect([second.position.seq, otherRun.position.seq]).toEqual([2, 3]);
      await sub.until(3);
      sub.stop();
      await sub.done;
      expect(sub.events.map((e) => e.event.content)).toEqual(['a', 'b', 'c']);
      expect((await bus.history(thread)).map((e) => e.event.content)).toEqual(['a', 'b', 'c']);
    });

    it('releases everything after many subscribe and abort cycles', async () => {
      const bus = await open();
      const thread = threadId();
      for (let cycle = 0; cycle < 50; cycle += 1) {
        const controller = new AbortController();
        const iterator = bus.subscribe(thread, { after: null, signal: controller.signal })[Symbol.asyncIterator]();
        const next = iterator.next();
        await bus.publish(token(thread, `c${cycle}`));
        await next;
        controller.abort();
        expect((await iterator.next()).done).toBe(true);
      }
      await expectReleased(bus);
    });

    it('ends an iteration that is waiting when its signal aborts', async () => {
      const bus = await open();
      const controller = new AbortController();
      const iterator = bus.subscribe(threadId(), { after: null, signal: controller.signal })[Symbol.asyncIterator]();
      const pending = iterator.next();
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      controller.abort();
      expect((await pending).done).toBe(true);
      await expectReleased(bus);
    });

    it('does nothing for an already aborted signal', async () => {
      const bus = await open();
      const events = [];
      for await (const event of bus.subscribe(threadId(), { after: null, signal: AbortSignal.abort() }))
        events.push(event);
      expect(events).toEqual([]);
      await expectReleased(bus);
    });

    it('disconnects a subscriber that stops reading instead of queueing without bound', async () => {
      const bus = await open({ maxQueuedPerSubscriber: 5 });
      const thread = threadId();
      const controller = new AbortController();
      const iterator = bus.subscribe(thread, { after: null, signal: controller.signal })[Symbol.asyncIterator]();
      const first = iterator.next();
      await expect.poll(() => bus.stats().subscribers).toBe(1);
      for (let i = 0; i < 10; i += 1) await bus.publish(token(thread, String(i)));
      await expect.poll(async () => (await bus.history(thread)).length).toBe(10);
      expect((await first).value?.event.content).toBe('0');
      await expect(async () => {
        for (;;) if ((await iterator.next()).done) break;
      }).rejects.toBeInstanceOf(SlowConsumerError);
      controller.abort();
      await expectReleased(bus);
    });

    it('tells its observer which events came from history, and how many live ones a slow consumer lost', async () => {
      const bus = await open({ maxQueuedPerSubscriber: 5 });
      const thread = threadId();
      const first = await bus.publish(token(thread, 'h1'));
      await bus.publish(token(thread, 'h2'));
      await bus.publish(token(thread, 'h3'));
      const replayed: string[] = [];
      let dropped = 0;
      const observer = {
        replayed: (event: StoredEvent) => replayed.push(event.id),
        dropped: (count: number) => {
          dropped += count;
        },
      };
      const controller = new AbortController();
      const iterator = bus
        .subscribe(thread, { after: first.position, signal: controller.signal, observer })
        [Symbol.asyncIterator]();
      const fromHistory = [(await iterator.next()).value, (await iterator.next()).value];
      expect(fromHistory.map((e) => e?.event.content)).toEqual(['h2', 'h3']);
      expect(replayed).toEqual(fromHistory.map((e) => e?.id));
      // Live from here: one taken by the waiting reader, one handed over before the feed was asked to wait,
      // five waiting in the feed, and the sixth overflows; the subscription has ended, the rest never reach it.
      const waiting = iterator.next();
      for (let i = 0; i < 10; i += 1) await bus.publish(token(thread, `live${i}`));
      await expect.poll(async () => (await bus.history(thread)).length).toBe(13);
      expect((await waiting).value?.event.content).toBe('live0');
      await expect.poll(() => dropped).toBe(6);
      expect((await iterator.next()).value?.event.content).toBe('live1');
      await expect(iterator.next()).rejects.toBeInstanceOf(SlowConsumerError);
      expect(replayed).toHaveLength(2);
      controller.abort();
      await expectReleased(bus);
    });

    it('rejects an event that breaks the contract, and delivers nothing for it', async () => {
      const bus = await open();
      const thread = threadId();
      const bad = { type: 'token', threadId: thread, content: 42, ts: Date.now() } as unknown as StreamEvent;
      await expect(bus.publish(bad)).rejects.toBeInstanceOf(InvalidEventError);
      const badThread = { type: 'token', threadId: 'thread:*', content: 'x', ts: 1 } as StreamEvent;
      await expect(bus.publish(badThread)).rejects.toBeInstanceOf(InvalidEventError);
      expect(await bus.history(thread)).toEqual([]);
    });

    it('refuses an unknown or malformed part, saying which type and field, and delivers nothing for it', async () => {
      const bus = await open();
      const thread = threadId();
      const delta = (content: unknown) => ({ type: 'delta', threadId: thread, ts: Date.now(), content }) as StreamEvent;
      await expect(bus.publish(delta({ type: 'tool-call', name: 'x' }))).rejects.toThrow(
        /unknown part type "tool-call"[\s\S]*content\.type/,
      );
      await expect(bus.publish(delta({ type: 'reasoning-delta', id: 'r1' }))).rejects.toThrow(
        /reasoning-delta:[\s\S]*content\.delta/,
      );
      await expect(bus.publish(delta({ type: 'data-Not Ok', data: 1 }))).rejects.toThrow(/data-<name>/);
      await expect(
        bus.publish(delta({ type: 'source-url', sourceId: 's', url: 'javascript:alert(1)' })),
      ).rejects.toThrow(InvalidEventError);
      expect(await bus.history(thread)).toEqual([]);
      const ok = await bus.publish(delta({ type: 'data-progress', id: 'p', data: { done: 1, of: 3 } }));
      expect(ok.event.content).toEqual({ type: 'data-progress', id: 'p', data: { done: 1, of: 3 } });
    });

    it("refuses an event larger than its size limit, saying which limit, except a run's final one", async () => {
      const bus = await open({ maxEventBytes: 1_000 });
      const thread = threadId();
      await expect(bus.publish(token(thread, 'x'.repeat(1_000)))).rejects.toThrow(EventTooLargeError);
      await expect(bus.publish(token(thread, 'é'.repeat(600)))).rejects.toThrow(/EVENT_MAX_BYTES/);
      const fits = await bus.publish(token(thread, 'x'.repeat(500)));
      const text = 'x'.repeat(5_000);
      const end: StreamEvent = {
        type: 'done',
        threadId: thread,
        ts: Date.now(),
        content: { runId: 'r1', text, tokenCount: 1 },
      };
      const final = await bus.publish(end, { idempotency: { producer: 'r1', sequence: 9, final: true } });
      expect((await bus.history(thread)).map((e) => e.id)).toEqual([fits.id, final.id]);
    });
  });
}
