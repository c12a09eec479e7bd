import type { DeliveryCheck, ExpectedRange } from './delivery-check.ts';
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
  private readonly histogram = createLatencyHistogram();
  private lastReceiveAt = 0;
  private heartbeats = 0;
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
      errorSamples: this.errorSamples,
    };
    for (const subscriber of subscribers) {
      const counts = subscriber.check.counts(byThread.get(subscriber.threadId));
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
