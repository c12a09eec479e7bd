import { PullQueue } from '@threadcast/bus';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import type { StartPush, StreamItem } from './stream-source.ts';

/**
 * A subscription's result that pushes its items (`start`) rather than being pulled: the form for streams
 * that wait on a bus, so an idle stream holds no suspended generator, promise or timer. The SSE writer
 * takes it directly; it can also be iterated (in-process callers), as tracked envelopes.
 */
export class PushStream<T> implements AsyncIterable<TrackedEnvelope<T>> {
  constructor(readonly start: StartPush<T>) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<TrackedEnvelope<T>, void, undefined> {
    const queue = new PullQueue<StreamItem<T>>();
    queue.source = this.start(queue);
    // An item without an id goes out as plain data, as tRPC sends an untracked value.
    for await (const item of queue) yield item.id ? tracked(item.id, item.event) : (item.event as TrackedEnvelope<T>);
  }
}

/** A subscription result pushed by `start`, e.g. `pushStream((sink) => bus.follow(threadId, options, sink))`. */
export function pushStream<T>(start: StartPush<T>): PushStream<T> {
  return new PushStream(start);
}
