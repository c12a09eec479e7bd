import { DeliveryCheck, type ExpectedRange } from './delivery-check.ts';
import { createLatencyHistogram, encodeHistogram } from './latency-histogram.ts';
import type { LoadReply, LoadTotals } from './protocol.ts';

/** One subscriber as the load generator sees it: the thread it watches and its delivery check. */
export interface Subscriber {
  threadId: string;
  check: DeliveryCheck;
  failed: boolean;
  /** Set while `finish` waits: called when this subscriber caught up or failed. */
  settle: (() => void) | null;
}

const MAX_ERROR_SAMPLES = 5;

/** What every subscriber of one load generator received: latency, errors, heartbeats. */
export class LoadRecorder {
  private histogram = createLatencyHistogram();
  private lastReceiveAt = 0;
  private heartbeats = 0;
  private resets = 0;
  private errors = 0;
  private readonly samples = new Set<string>();
  private cpuAtOpen = process.cpuUsage();

  markOpened(): void {
    this.cpuAtOpen = process.cpuUsage();
  }

  event(subscriber: Subscriber, id: string | null, publishedAt: unknown): void {
    const now = Date.now();
    this.lastReceiveAt = now;
    if (id === null || typeof publishedAt !== 'number') {
      this.fail(subscriber, `malformed event (id ${id}, ts ${String(publishedAt)})`);
      return;
    }
    subscriber.check.accept(id);
    this.histogram.recordValue(Math.max(0, now - publishedAt));
  }

  heartbeat(): void {
    this.heartbeats += 1;
  }

  /** A `status` `reset` notice arrived: the server could not replay from the stream's position. */
  reset(): void {
    this.resets += 1;
  }

  fail(subscriber: Subscriber, message: string): void {
    this.noteError(message);
    if (subscriber.failed) return;
    subscriber.failed = true;
    subscriber.settle?.();
  }

  noteError(message: string): void {
    this.errors += 1;
    if (this.samples.size < MAX_ERROR_SAMPLES) this.samples.add(message);
  }

  get errorSamples(): string[] {
    return [...this.samples];
  }

  /** Waits until every live subscriber received its thread's last expected id, or `timeoutMs` passed. */
  async waitForCatchUp(subscribers: readonly Subscriber[], expected: readonly ExpectedRange[], timeoutMs: number) {
    const lastByThread = new Map(expected.map((range) => [range.threadId, range.last]));
    // Starts at 1 for the registration loop itself, so a subscriber already caught up cannot end the wait early.
    let pending = 1;
    let timer: NodeJS.Timeout | undefined;
    const caughtUp = await new Promise<boolean>((resolve) => {
      const settleOne = () => {
        pending -= 1;
        if (pending === 0) resolve(true);
      };
      for (const subscriber of subscribers) {
        const last = lastByThread.get(subscriber.threadId);
        if (subscriber.failed || last === undefined) continue;
        pending += 1;
        let settled = false;
        subscriber.settle = () => {
          if (settled) return;
          settled = true;
          subscriber.settle = null;
          settleOne();
        };
        const settle = subscriber.settle;
        subscriber.check.notifyAt(last, settle);
      }
      settleOne();
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    clearTimeout(timer);
    for (const subscriber of subscribers) subscriber.settle = null;
    return caughtUp;
  }

  /**
   * Waits until every subscriber has its thread's last expected id, then starts counting afresh: deliveries,
   * latency, heartbeats and reset notices count from here (a stream's errors stay counted).
   */
  async settle(subscribers: readonly Subscriber[], expected: readonly ExpectedRange[], timeoutMs: number) {
    const caughtUp = await this.waitForCatchUp(subscribers, expected, timeoutMs);
    for (const subscriber of subscribers) subscriber.check = new DeliveryCheck();
    this.histogram = createLatencyHistogram();
    this.lastReceiveAt = 0;
    this.heartbeats = 0;
    this.resets = 0;
    this.markOpened();
    return caughtUp;
  }

  finished(subscribers: readonly Subscriber[], expected: readonly ExpectedRange[], caughtUp: boolean): LoadReply {
    const byThread = new Map(expected.map((range) => [range.threadId, range]));
    const totals: LoadTotals = {
      streams: subscribers.length,
      received: 0,
      missed: 0,
      duplicates: 0,
      outOfOrder: 0,
      foreign: 0,
      errors: this.errors,
      heartbeats: this.heartbeats,
      resets: this.resets,
      errorSamples: this.errorSamples,
    };
    for (const subscriber of subscribers) {
      const range = byThread.get(subscriber.threadId);
      const counts = subscriber.check.counts(range);
      if (counts.missed > 0 && totals.errorSamples.length < MAX_ERROR_SAMPLES)
        totals.errorSamples.push(`thread ${subscriber.threadId}: ${subscriber.check.describe(range)}`);
      totals.received += counts.received;
      totals.missed += counts.missed;
      totals.duplicates += counts.duplicates;
      totals.outOfOrder += counts.outOfOrder;
      totals.foreign += counts.foreign;
    }
    const cpu = process.cpuUsage(this.cpuAtOpen);
    return {
      type: 'finished',
      totals,
      caughtUp,
      lastReceiveAt: this.lastReceiveAt,
      histogram: encodeHistogram(this.histogram),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  }
}
