import { type EventFeed, PullQueue } from '@threadcast/bus';
import { isTrackedEnvelope, type TRPCError, tracked } from '@trpc/server';
import type { ObservedStream } from './observed-stream.ts';
import { PushStream } from './push-stream.ts';
import { closeReasonOf, outcomeOf, StreamEnding } from './stream-ending.ts';
import type { StreamPass } from './stream-gate.ts';
import type { StreamItem, StreamSink } from './stream-source.ts';

/** setTimeout's longest delay (about 24.8 days); a stream outliving it is ended then and resumes. */
const MAX_TIMER_MS = 2_147_483_647;

/** What `streamProcedure` holds for a stream it admitted, given back when the stream ends. */
export interface StreamHolds {
  /** The stream's admission: the gate ends the stream through it, and it is given back at the end. */
  pass: StreamPass;
  /** Gives the stream's per-user and per-server slot back. */
  releaseSlot: () => void;
  observed: ObservedStream;
  /** When the token expires (ms since the epoch): the stream ends there with UNAUTHORIZED. */
  expiresAt: number;
  /** The procedure call's signal, where the caller has one: the client went away when it aborts. */
  signal?: AbortSignal | undefined;
}

export interface AttachOptions {
  /** The longest the stream may stay open (the router's `maxDurationMs`); it then ends and the client resumes. */
  maxDurationMs?: number | undefined;
}

/**
 * A subscription's stream under the stream rules: what `streamProcedure` turns every subscription's result
 * into. Its source is a `PushStream` (followed with no promise, generator or timer per item or per idle
 * stream) or any async iterable, as tRPC documents subscriptions (an async generator yielding `tracked(id,
 * data)`, or an observable). The SSE writer `attach`es to it; it can also be iterated (in-process callers).
 *
 * How a stream ends is decided here, with one verb: `end(why)`. The writer calls it when the client leaves,
 * the gate when the server drains or loses its backend, the stream's timer when the token expires or the
 * longest duration is reached, the source when it breaks or finishes. Ending stops the source, gives back
 * the gate pass and the stream slot, logs and counts the close, and tells the consumer how it ended: the
 * error the client should see (retryable where resuming helps), or nothing for a plain end.
 */
export class GuardedStream implements AsyncIterable<unknown>, StreamSink {
  private sink: StreamSink | null = null;
  private feed: EventFeed | null = null;
  private timer: NodeJS.Timeout;
  /**
   * Whether the timer is set for the token's expiry, rather than for the longest duration (or the longest a timer
   * can wait): decided when it is set, since a timer may fire a millisecond before the clock reaches its deadline.
   */
  private timerIsExpiry: boolean;
  private wakePump: (() => void) | null = null;
  private ended = false;
  /** What the consumer is told at the end, kept for a consumer that attaches after it. */
  private outcome: TRPCError | undefined;

  constructor(
    private readonly source: PushStream<unknown> | AsyncIterable<unknown>,
    private readonly holds: StreamHolds,
  ) {
    // Arguments rather than a closure: thousands of these timers wait at once.
    const untilExpiry = Math.max(0, holds.expiresAt - Date.now());
    this.timerIsExpiry = untilExpiry <= MAX_TIMER_MS;
    this.timer = setTimeout(timeUp, Math.min(untilExpiry, MAX_TIMER_MS), this);
    holds.observed.open();
    // The stream is the signal's abort listener (`handleEvent`): no function per stream.
    holds.signal?.addEventListener('abort', this, { once: true });
    // Ends at once if the gate ended the stream while the procedure was setting it up.
    holds.pass.bind(this);
    if (holds.signal?.aborted) this.end(StreamEnding.clientGone);
  }

  /** Whether its source pushes (a `PushStream`): such a stream needs no signal to stop it. */
  get pushes(): boolean {
    return this.source instanceof PushStream;
  }

  /** Starts the source for `sink`, which takes the items as they come, then the end. */
  attach(sink: StreamSink, options: AttachOptions = {}): void {
    if (this.sink !== null) throw new Error('a stream takes one consumer');
    if (this.ended) {
      sink.end(this.outcome);
      return;
    }
    this.sink = sink;
    const { maxDurationMs } = options;
    if (maxDurationMs !== undefined && maxDurationMs < Math.max(0, this.holds.expiresAt - Date.now())) {
      clearTimeout(this.timer);
      this.timerIsExpiry = false;
      this.timer = setTimeout(timeUp, maxDurationMs, this);
    }
    if (this.source instanceof PushStream) {
      const feed = this.source.start(this);
      if (!this.ended) this.feed = feed;
    } else {
      void this.pump(this.source);
    }
  }

  deliver(item: StreamItem): boolean {
    this.holds.observed.delivered(item);
    return this.sink?.deliver(item) ?? false;
  }

  /** The consumer can take items again after its `deliver` returned false. */
  resume(): void {
    this.feed?.resume();
    const wake = this.wakePump;
    this.wakePump = null;
    wake?.();
  }

  /**
   * Ends the stream, once: `why` is a `StreamEnding` (the client left, the gate, the timer), what broke the
   * source, or nothing when the source finished.
   */
  end(why?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.holds.signal?.removeEventListener('abort', this);
    const feed = this.feed;
    this.feed = null;
    // A push source's stop calls `end` back, which is a no-op by now.
    feed?.stop();
    this.resume();
    this.holds.pass.release();
    this.holds.releaseSlot();
    this.holds.observed.close(closeReasonOf(why), why);
    this.outcome = outcomeOf(why);
    const sink = this.sink;
    this.sink = null;
    sink?.end(this.outcome);
  }

  /** The call's signal aborted: the client went away. */
  handleEvent(): void {
    this.end(StreamEnding.clientGone);
  }

  /** Called by the stream's timer. */
  timeUp(): void {
    this.end(this.timerIsExpiry ? StreamEnding.tokenExpired() : StreamEnding.maxDuration());
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<unknown, void, undefined> {
    const queue = new PullQueue<StreamItem>();
    queue.source = { resume: () => this.resume(), stop: () => this.end(StreamEnding.clientGone) };
    this.attach(queue);
    try {
      for await (const item of queue) yield item.id ? tracked(item.id, item.event) : item.event;
    } finally {
      this.end(StreamEnding.clientGone);
    }
  }

  /** Pulls an iterable source, one item at a time, waiting while the consumer is congested. */
  private async pump(source: AsyncIterable<unknown>): Promise<void> {
    const iterator = source[Symbol.asyncIterator]();
    try {
      while (!this.ended) {
        const step = await iterator.next();
        if (this.ended) break;
        if (step.done) {
          this.end();
          return;
        }
        const value: unknown = step.value;
        const item: StreamItem = isTrackedEnvelope(value) ? { id: value[0], event: value[1] } : { event: value };
        if (!this.deliver(item) && !this.ended) {
          await new Promise<void>((wake) => {
            this.wakePump = wake;
          });
        }
      }
    } catch (error) {
      // After the end, the source's abort error (the signal the procedure was given) is expected.
      this.end(error);
      return;
    }
    // Ended while the source waited at a `yield`: let it run its `finally` blocks.
    await iterator.return?.().catch(() => undefined);
  }
}

function timeUp(stream: GuardedStream): void {
  stream.timeUp();
}
