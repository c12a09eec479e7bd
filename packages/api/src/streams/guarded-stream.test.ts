import { MemoryEventBus } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import type { StreamEvent } from '@threadcast/contract';
import { tracked } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { GuardedStream } from './guarded-stream.ts';
import { noStreamMetrics, ObservedStream } from './observed-stream.ts';
import { pushStream } from './push-stream.ts';
import { StreamEnding } from './stream-ending.ts';
import { StreamGate } from './stream-gate.ts';
import type { StreamItem } from './stream-source.ts';

const buses: MemoryEventBus[] = [];

function holdsFor(options: { gate?: StreamGate; expiresInMs?: number; signal?: AbortSignal } = {}) {
  const gate = options.gate ?? new StreamGate();
  let released = 0;
  const holds = {
    pass: gate.admit(),
    releaseSlot: () => {
      released += 1;
    },
    observed: new ObservedStream(silentLogger, noStreamMetrics.procedure('test.onItem'), {
      streamId: 's1',
      procedure: 'test.onItem',
      userId: 'u1',
    }),
    expiresAt: Date.now() + (options.expiresInMs ?? 60_000),
    signal: options.signal,
  };
  return { gate, holds, released: () => released };
}

function threadSource() {
  const bus = new MemoryEventBus();
  buses.push(bus);
  return { bus, source: pushStream<StreamEvent>((sink) => bus.follow('t1', { after: null }, sink)) };
}

/** A consumer that records what it is given and resolves `ended` with the end's error (undefined for a plain end). */
function recorder(options: { congestedAfter?: number } = {}) {
  const items: StreamItem[] = [];
  let end: (failure: unknown) => void = () => {};
  const ended = new Promise<unknown>((resolve) => {
    end = resolve;
  });
  return {
    items,
    ended,
    sink: {
      deliver(item: StreamItem) {
        items.push(item);
        return options.congestedAfter === undefined || items.length < options.congestedAfter;
      },
      end: (failure?: unknown) => end(failure),
    },
  };
}

describe('GuardedStream', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('pushes a push source to its consumer, and gives back everything once when the client leaves', async () => {
    const { bus, source } = threadSource();
    const { gate, holds, released } = holdsFor();
    await bus.publish({ type: 'token', threadId: 't1', ts: 1, content: 'kept' });
    const stream = new GuardedStream(source, holds);
    const { items, ended, sink } = recorder();
    stream.attach(sink);
    await bus.publish({ type: 'token', threadId: 't1', ts: 2, content: 'live' });
    await expect.poll(() => items.map((item) => (item.event as StreamEvent).content)).toEqual(['kept', 'live']);
    stream.end(StreamEnding.clientGone);
    expect(await ended).toBeUndefined();
    expect({ gate: gate.size, released: released(), subscribers: bus.stats().subscribers }).toEqual({
      gate: 0,
      released: 1,
      subscribers: 0,
    });
    stream.end(StreamEnding.clientGone);
    expect(released()).toBe(1);
  });

  it('ends with SERVICE_UNAVAILABLE, holding nothing, when the gate ended it while it was being set up', async () => {
    const { bus, source } = threadSource();
    const { gate, holds, released } = holdsFor();
    await gate.endOpen('this server is shutting down', 0);
    const stream = new GuardedStream(source, holds);
    const { items, ended, sink } = recorder();
    stream.attach(sink);
    expect(await ended).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'this server is shutting down: reconnect and resume from the last event id',
    });
    expect(items).toEqual([]);
    expect({ gate: gate.size, released: released(), subscribers: bus.stats().subscribers }).toEqual({
      gate: 0,
      released: 1,
      subscribers: 0,
    });
  });

  it('ends with UNAUTHORIZED when the token expires, and as an iteration too', async () => {
    const { source } = threadSource();
    const { holds, released } = holdsFor({ expiresInMs: 20 });
    const iterator = new GuardedStream(source, holds)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(released()).toBe(1);
  });

  it('ends with a retryable error at maxDurationMs, before the token expires', async () => {
    const { source } = threadSource();
    const { holds } = holdsFor();
    const stream = new GuardedStream(source, holds);
    const { ended, sink } = recorder();
    stream.attach(sink, { maxDurationMs: 30 });
    expect(await ended).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'the stream reached its longest duration: reconnect and resume from the last event id',
    });
  });

  it('pulls an async generator, tracked and untracked values alike, then ends with a plain end', async () => {
    async function* ticks() {
      yield tracked('1', { tick: 1 });
      yield { untracked: true };
      yield tracked('3', { tick: 3 });
    }
    const { holds, released } = holdsFor();
    const stream = new GuardedStream(ticks(), holds);
    const { items, ended, sink } = recorder();
    stream.attach(sink);
    expect(await ended).toBeUndefined();
    expect(items).toEqual([
      { id: '1', event: { tick: 1 } },
      { event: { untracked: true } },
      { id: '3', event: { tick: 3 } },
    ]);
    expect(released()).toBe(1);
  });

  it('waits for resume while the consumer is congested, and stops the generator (its finally runs) when ended', async () => {
    let finallyRan = false;
    let yielded = 0;
    async function* endless() {
      try {
        for (;;) {
          yielded += 1;
          yield tracked(String(yielded), yielded);
        }
      } finally {
        finallyRan = true;
      }
    }
    const { holds } = holdsFor();
    const stream = new GuardedStream(endless(), holds);
    const { items, sink } = recorder({ congestedAfter: 2 });
    stream.attach(sink);
    await expect.poll(() => items.length).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(yielded).toBe(2);
    stream.resume();
    await expect.poll(() => items.length).toBe(3);
    stream.end(StreamEnding.clientGone);
    await expect.poll(() => finallyRan).toBe(true);
  });

  it('ends with the error a generator throws, as a retryable SERVICE_UNAVAILABLE unless it is a TRPCError', async () => {
    async function* broken() {
      yield tracked('1', 1);
      throw new Error('the upstream went away');
    }
    const { holds, released } = holdsFor();
    const stream = new GuardedStream(broken(), holds);
    const { ended, sink } = recorder();
    stream.attach(sink);
    expect(await ended).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(released()).toBe(1);
  });

  it('ends as the client leaves when the call signal aborts', async () => {
    const { source } = threadSource();
    const abort = new AbortController();
    const { gate, holds } = holdsFor({ signal: abort.signal });
    const stream = new GuardedStream(source, holds);
    const { ended, sink } = recorder();
    stream.attach(sink);
    abort.abort();
    expect(await ended).toBeUndefined();
    expect(gate.size).toBe(0);
  });
});
