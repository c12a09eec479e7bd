import { MemoryEventBus, type StoredEvent } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import { afterEach, describe, expect, it } from 'vitest';
import { noStreamMetrics, ObservedStream } from './observed-stream.ts';
import { StreamGate } from './stream-gate.ts';
import { ThreadEventStream } from './thread-event-stream.ts';

const buses: MemoryEventBus[] = [];

function openStream(options: { gate?: StreamGate; expiresInMs?: number } = {}) {
  const bus = new MemoryEventBus();
  buses.push(bus);
  const gate = options.gate ?? new StreamGate();
  const pass = gate.admit();
  let released = 0;
  const expiresAt = Date.now() + (options.expiresInMs ?? 60_000);
  const observed = new ObservedStream(
    { logger: silentLogger, metrics: noStreamMetrics, expiresAt },
    { streamId: 's1', threadId: 't1', userId: 'u1', resumeFrom: null },
  );
  return {
    bus,
    gate,
    pass,
    released: () => released,
    create: () =>
      new ThreadEventStream({
        bus,
        threadId: 't1',
        after: null,
        pass,
        release: () => {
          released += 1;
        },
        observed,
        expiresAt,
      }),
  };
}

/** A consumer that records what it is given and resolves `ended` with the end's error (undefined for a plain end). */
function recorder() {
  const events: StoredEvent[] = [];
  let end: (failure: unknown) => void = () => {};
  const ended = new Promise<unknown>((resolve) => {
    end = resolve;
  });
  return {
    events,
    ended,
    consumer: {
      deliver(stored: StoredEvent) {
        events.push(stored);
        return true;
      },
      end: (failure?: unknown) => end(failure),
    },
  };
}

describe('ThreadEventStream', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it('pushes the thread to an attached consumer, and lets go of everything when stopped', async () => {
    const { bus, gate, create, released } = openStream();
    await bus.publish({ type: 'token', threadId: 't1', ts: 1, content: 'kept' });
    const stream = create();
    const { events, ended, consumer } = recorder();
    stream.attach(consumer);
    await bus.publish({ type: 'token', threadId: 't1', ts: 2, content: 'live' });
    await expect.poll(() => events.map((e) => e.event.content)).toEqual(['kept', 'live']);
    stream.stop();
    expect(await ended).toBeUndefined();
    expect({ gate: gate.size, released: released(), subscribers: bus.stats().subscribers }).toEqual({
      gate: 0,
      released: 1,
      subscribers: 0,
    });
    stream.stop();
    expect(released()).toBe(1);
  });

  it('ends with SERVICE_UNAVAILABLE, holding nothing, when the gate ended it while it was being set up', async () => {
    const { bus, gate, create, released } = openStream();
    await gate.endOpen('this server is shutting down', 0);
    const stream = create();
    const { events, ended, consumer } = recorder();
    stream.attach(consumer);
    expect(await ended).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'this server is shutting down: reconnect and resume from the last event id',
    });
    expect(events).toEqual([]);
    expect({ gate: gate.size, released: released(), subscribers: bus.stats().subscribers }).toEqual({
      gate: 0,
      released: 1,
      subscribers: 0,
    });
  });

  it('ends with UNAUTHORIZED when the token expires, and as an iteration too', async () => {
    const { create, released } = openStream({ expiresInMs: 20 });
    const iterator = create()[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(released()).toBe(1);
  });
});
