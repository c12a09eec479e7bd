import { type EventBus, InvalidEventError, OutOfOrderError, ProducerEndedError } from '@threadcast/bus';
import { backoffDelay, type Logger } from '@threadcast/common';
import type { StreamEvent } from '@threadcast/contract';

export interface RunPublisherOptions {
  bus: EventBus;
  logger: Logger;
  /** Names this producer's events (a run id): retries of one event are stored once. */
  producer: string;
  /** Events sent before waiting for their replies (default 64). */
  window?: number;
  /** How long one event may keep failing before the publisher gives up (default 30 s). */
  giveUpAfterMs?: number;
  /**
   * The sequence number of the first event (default 1). A run that resumes after a pause continues where it
   * left off, since the bus takes a number it has already stored for the producer as a duplicate.
   */
  startSequence?: number;
  /** Called once for each event the bus stored (a retry that was a duplicate is not counted twice). */
  onStored?: (event: StreamEvent) => void;
}

interface Pending {
  event: StreamEvent;
  sequence: number;
}

/**
 * Publishes one producer's events in order without a round trip per event: up to `window` events are
 * sent at once (they travel pipelined on the bus's connection and land in order), and the next batch
 * goes as soon as those are stored. An event that fails is retried with backoff, in order, before
 * anything after it; every event carries the producer's next sequence number, so a retry whose first
 * attempt did land is stored once. The first event should be flushed on its own: the bus accepts any
 * starting number from a producer it has no record of. Errors that no retry can fix (the producer was ended by someone else,
 * an invalid event, a bus down for longer than `giveUpAfterMs`) stop the publisher: see `failure`.
 */
export class RunPublisher {
  private readonly queue: Pending[] = [];
  private sequence: number;
  private pumping: Promise<void> | null = null;
  private roomWaiters: (() => void)[] = [];
  failure: Error | null = null;

  constructor(private readonly options: RunPublisherOptions) {
    const start = options.startSequence ?? 1;
    if (!Number.isSafeInteger(start) || start < 1) throw new RangeError(`startSequence must be >= 1, got ${start}`);
    this.sequence = start - 1;
  }

  /** The sequence number the next pushed event gets. */
  get nextSequence(): number {
    return this.sequence + 1;
  }

  private get window(): number {
    return this.options.window ?? 64;
  }

  /** Queues an event for publishing; throws the publisher's failure if it has stopped. */
  push(event: StreamEvent): void {
    if (this.failure) throw this.failure;
    this.sequence += 1;
    this.queue.push({ event, sequence: this.sequence });
    this.pumping ??= this.pump();
  }

  /** Resolves once fewer than `window` events wait, so a fast producer cannot queue without bound. */
  async waitForRoom(): Promise<void> {
    while (!this.failure && this.queue.length >= this.window) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Resolves when every pushed event is stored; rejects with the failure that stopped the publisher. */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
    if (this.failure) throw this.failure;
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const batch = this.queue.slice(0, this.window);
        const results = await Promise.allSettled(batch.map((pending) => this.send(pending)));
        let stored = 0;
        for (const [i, result] of results.entries()) {
          if (result.status === 'fulfilled') {
            stored += 1;
            this.stored(batch[i]);
            continue;
          }
          // Everything from the first failure on is retried in order; the bus refuses any later event that
          // got ahead of a missing one (OutOfOrderError), so order holds however the failures fell.
          for (const pending of batch.slice(i)) {
            try {
              await this.sendWithRetry(pending);
              stored += 1;
              this.stored(pending);
            } catch (error) {
              this.failure = error instanceof Error ? error : new Error(String(error));
              break;
            }
          }
          break;
        }
        this.queue.splice(0, stored);
        for (const wake of this.roomWaiters.splice(0)) wake();
      }
      if (this.failure) {
        this.queue.length = 0;
        for (const wake of this.roomWaiters.splice(0)) wake();
      }
    } finally {
      // Cleared in the same turn as the check that found the queue empty, with no await in between (a
      // caller awaiting this would resume later): a push after that check always starts a new pump.
      this.pumping = null;
    }
  }

  private stored(pending: Pending | undefined): void {
    if (pending) this.options.onStored?.(pending.event);
  }

  private send(pending: Pending) {
    return this.options.bus.publish(pending.event, {
      idempotency: { producer: this.options.producer, sequence: pending.sequence },
    });
  }

  private async sendWithRetry(pending: Pending): Promise<void> {
    const started = Date.now();
    const giveUpAfterMs = this.options.giveUpAfterMs ?? 30_000;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.send(pending);
        return;
      } catch (error) {
        const final = error instanceof InvalidEventError || error instanceof ProducerEndedError;
        // An out-of-order refusal resolves itself once the event before it is stored: retry at once.
        if (error instanceof OutOfOrderError && Date.now() - started <= giveUpAfterMs) continue;
        if (final || Date.now() - started > giveUpAfterMs) throw error;
        const delayMs = backoffDelay(attempt, 50, 1_000);
        this.options.logger.warn(
          { err: error, producer: this.options.producer, sequence: pending.sequence, attempt, delayMs },
          'publish failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
