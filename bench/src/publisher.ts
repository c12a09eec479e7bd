import type { EventPosition, StreamEvent } from '@threadcast/contract';
import type { ExpectedRange } from './delivery-check.ts';

/**
 * Publishes one token of a producer (a run: one per thread and step, consecutive sequence numbers) and answers
 * with the position the thread's subscribers will see it at.
 */
export type PublishToken = (event: StreamEvent, producer: string, sequence: number) => Promise<EventPosition>;

export interface PublishReport {
  published: number;
  failed: number;
  /** Ticks left out because the previous ones were still in flight (the publisher could not keep up). */
  skippedTicks: number;
  startedAt: number;
  endedAt: number;
  ranges: ExpectedRange[];
  errorSamples: string[];
}

/** The ids each thread got in one step, from the bus's answers. */
class PublishLedger {
  private readonly ranges = new Map<string, ExpectedRange>();
  published = 0;
  failed = 0;
  readonly errorSamples: string[] = [];

  stored(threadId: string, position: EventPosition): void {
    this.published += 1;
    const { epoch, seq } = position;
    const range = this.ranges.get(threadId);
    if (!range) this.ranges.set(threadId, { threadId, epoch, first: seq, last: seq });
    else {
      range.first = Math.min(range.first, seq);
      range.last = Math.max(range.last, seq);
    }
  }

  failure(error: unknown): void {
    this.failed += 1;
    if (this.errorSamples.length < 3) this.errorSamples.push(error instanceof Error ? error.message : String(error));
  }

  report(startedAt: number, skippedTicks: number): PublishReport {
    return {
      published: this.published,
      failed: this.failed,
      skippedTicks,
      startedAt,
      endedAt: Date.now(),
      ranges: [...this.ranges.values()],
      errorSamples: this.errorSamples,
    };
  }
}

/**
 * Publishes token events the way a worker does, through `publishToken`: our bus's `publish` with idempotency,
 * or a baseline's bare `PUBLISH`; every event is sent at once, so they travel pipelined on one connection.
 */
export class BenchPublisher {
  constructor(
    private readonly publishToken: PublishToken,
    private readonly producerTag: string,
  ) {}

  private publish(threadId: string, producer: string, sequence: number, ledger: PublishLedger): Promise<void> {
    const event = { type: 'token' as const, threadId, runId: producer, content: 'tok ', ts: Date.now() };
    return this.publishToken(event, producer, sequence).then(
      (position) => ledger.stored(threadId, position),
      (error: unknown) => ledger.failure(error),
    );
  }

  /**
   * Every `intervalMs`, one token to each thread, for `durationMs`. A tick whose predecessor is still in
   * flight is skipped rather than queued, so a publisher that cannot keep up shows as a lower rate.
   */
  async paced(threadIds: readonly string[], intervalMs: number, durationMs: number): Promise<PublishReport> {
    const ledger = new PublishLedger();
    const producers = threadIds.map((_, i) => `${this.producerTag}-${i}`);
    const startedAt = Date.now();
    let inFlight: Promise<unknown> = Promise.resolve();
    let pending = false;
    let sequence = 0;
    let skippedTicks = 0;
    for (let tick = 0; tick * intervalMs < durationMs; tick += 1) {
      const wait = startedAt + tick * intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (pending) {
        skippedTicks += 1;
        continue;
      }
      sequence += 1;
      const seq = sequence;
      pending = true;
      inFlight = Promise.all(threadIds.map((threadId, i) => this.publish(threadId, producers[i] ?? '', seq, ledger)));
      void inFlight.then(() => {
        pending = false;
      });
    }
    await inFlight;
    return ledger.report(startedAt, skippedTicks);
  }

  /** `count` tokens to one thread as fast as a worker's pipelined publishing goes (`window` in flight). */
  async burst(threadId: string, count: number, window: number): Promise<PublishReport> {
    const ledger = new PublishLedger();
    const producer = `${this.producerTag}-burst`;
    const startedAt = Date.now();
    // A count and one waiter, not a race over every publish in flight (which costs the window per event).
    let inFlight = 0;
    let room: (() => void) | null = null;
    const settled = () => {
      inFlight -= 1;
      room?.();
      room = null;
    };
    for (let sequence = 1; sequence <= count; sequence += 1) {
      while (inFlight >= window) await new Promise<void>((resolve) => (room = resolve));
      inFlight += 1;
      void this.publish(threadId, producer, sequence, ledger).then(settled);
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (room = resolve));
    return ledger.report(startedAt, 0);
  }
}
