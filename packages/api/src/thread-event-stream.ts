import {
  type EventBus,
  type EventConsumer,
  type EventFeed,
  PullQueue,
  SlowConsumerError,
  type StoredEvent,
} from '@threadcast/bus';
import type { EventPosition, StreamEvent, ThreadId } from '@threadcast/contract';
import { TRPCError, type TrackedEnvelope, tracked } from '@trpc/server';
import type { ObservedStream } from './observed-stream.ts';
import { type StreamPass, streamUnavailable } from './stream-gate.ts';

/** setTimeout's longest delay (about 24.8 days); a stream outliving it is ended then and resumes. */
const MAX_TIMER_MS = 2_147_483_647;

export interface ThreadStreamSetup {
  bus: EventBus;
  threadId: ThreadId;
  /** Where the stream starts: after this position, or at the oldest retained event for null. */
  after: EventPosition | null;
  /** The stream's admission; it stops the stream when the gate ends it, and is given back at the end. */
  pass: StreamPass;
  /** Gives the stream's slot back. */
  release: () => void;
  observed: ObservedStream;
  /** When the token expires (ms since the epoch): the stream ends there with UNAUTHORIZED. */
  expiresAt: number;
  /** The request's signal, where the host has one: the client went away when it aborts. */
  signal?: AbortSignal | undefined;
}

/**
 * One `thread.onEvent` stream, admitted and checked, that follows its thread once a consumer takes it:
 * pushed to an SSE writer (`attach`), with no promise, generator or timer per event or per idle stream, or
 * pulled as an async iteration of tracked events (tRPC's own SSE pipeline, in-process callers).
 *
 * It ends when its consumer stops it (`stop`: the client went away), when the gate ends it, when the token
 * expires and when the subscription breaks. Then it releases its bus subscription, its gate pass and its
 * stream slot, and gives its consumer's `end` the error the client should see (retryable where resuming
 * helps), or undefined for a plain end.
 */
export class ThreadEventStream implements AsyncIterable<TrackedEnvelope<StreamEvent>>, EventConsumer, EventFeed {
  private readonly bus: EventBus;
  private readonly threadId: ThreadId;
  private after: EventPosition | null;
  private readonly pass: StreamPass;
  private readonly release: () => void;
  private readonly observed: ObservedStream;
  private readonly expiresAt: number;
  private readonly signal: AbortSignal | undefined;
  private readonly expiry: NodeJS.Timeout;
  private feed: EventFeed | null = null;
  private consumer: EventConsumer | null = null;
  private timedOut = false;
  private finished = false;
  /** What the consumer is told at the end, kept for a consumer that attaches after it. */
  private ending: TRPCError | undefined;

  constructor(setup: ThreadStreamSetup) {
    this.bus = setup.bus;
    this.threadId = setup.threadId;
    this.after = setup.after;
    this.pass = setup.pass;
    this.release = setup.release;
    this.observed = setup.observed;
    this.expiresAt = setup.expiresAt;
    this.signal = setup.signal;
    // Arguments rather than a closure: thousands of these timers wait at once.
    this.expiry = setTimeout(expire, Math.min(Math.max(0, setup.expiresAt - Date.now()), MAX_TIMER_MS), this);
    // The stream is the request signal's abort listener (`handleEvent`); the client may already be gone.
    this.signal?.addEventListener('abort', this, { once: true });
    // Halts (and finishes) at once if the gate ended the stream while the procedure was setting it up.
    this.pass.bind(this);
    if (this.signal?.aborted) this.stop();
  }

  /** Starts following the thread for `consumer`, which takes the events as they come, then the end. */
  attach(consumer: EventConsumer): void {
    if (this.consumer !== null) throw new Error('a thread event stream takes one consumer');
    this.consumer = consumer;
    if (this.finished) {
      this.consumer = null;
      consumer.end(this.ending);
      return;
    }
    const after = this.after;
    this.after = null;
    const feed = this.bus.follow(this.threadId, { after, observer: this.observed }, this);
    if (!this.finished) this.feed = feed;
  }

  deliver(stored: StoredEvent): boolean {
    this.observed.delivered(stored);
    return this.consumer?.deliver(stored) ?? false;
  }

  /** The subscription is over (stopped, or broken by `failure`). */
  end(failure?: unknown): void {
    this.finish(failure);
  }

  resume(): void {
    this.feed?.resume();
  }

  /** The consumer is done with the stream (the client went away). */
  stop(): void {
    this.pass.stop();
  }

  handleEvent(): void {
    this.stop();
  }

  /** Called by the pass, however the stream is told to stop. */
  halt(): void {
    if (this.feed !== null) this.feed.stop();
    else this.finish(undefined);
  }

  expire(): void {
    this.timedOut = true;
    this.pass.stop();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TrackedEnvelope<StreamEvent>, void, undefined> {
    const queue = new PullQueue();
    queue.source = this;
    this.attach(queue);
    try {
      for await (const stored of queue) yield tracked(stored.id, stored.event);
    } finally {
      this.stop();
    }
  }

  private finish(failure: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.feed = null;
    clearTimeout(this.expiry);
    this.signal?.removeEventListener('abort', this);
    // A subscription that broke by itself marks the pass stopped too (halting again is then a no-op).
    this.pass.stop();
    this.pass.release();
    this.release();
    const clientGone = failure === undefined && !this.timedOut && this.pass.ended === null;
    this.observed.close({ timedOut: this.timedOut, clientGone, failure });
    this.ending = this.outcome(failure);
    const { consumer } = this;
    this.consumer = null;
    consumer?.end(this.ending);
  }

  /** What the client is told as the stream ends: an error to reconnect on, or undefined for a plain end. */
  private outcome(failure: unknown): TRPCError | undefined {
    if (failure !== undefined && !this.timedOut) return interruptedStream(failure);
    // Ended by the gate: an error the client reconnects on (tRPC's `return` would stop it for good).
    if (this.pass.ended !== null) return streamUnavailable(this.pass.ended);
    if (!this.timedOut) return undefined;
    if (Date.now() >= this.expiresAt) {
      return new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'the token expired: refresh it and resume from the last event id',
      });
    }
    return interruptedStream(new Error('the stream reached the longest time a timer can wait'));
  }
}

function expire(stream: ThreadEventStream): void {
  stream.expire();
}

/**
 * A stream that broke after it started (the client fell behind, the bus became unreachable) ends with a
 * retryable code: tRPC clients treat it as a reason to reconnect, and they resume from their last id.
 */
export function interruptedStream(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const message =
    error instanceof SlowConsumerError
      ? error.message
      : 'the event stream was interrupted; reconnect and resume from the last event id';
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause: error });
}
