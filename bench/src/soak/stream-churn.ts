import { DeliveryCheck } from '../delivery-check.ts';
import { SseStream } from '../sse-stream.ts';
import type { ChurnPlan, ChurnReport } from './churn-protocol.ts';

const MAX_LATENCIES_PER_REPORT = 100_000;
const TS_FIELD = /"ts":(\d+)/;

interface ChurnStream {
  stream: SseStream;
  check: DeliveryCheck;
  timer: NodeJS.Timeout;
  connected: boolean;
}

function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

/**
 * Keeps `plan.streams` raw SSE streams open on random threads, each for a random lifetime, replacing each
 * one as it closes: the server sees a steady number of streams and a steady rate of opens and closes. Each
 * stream's ids must follow one another (no gap, repeat or reorder within its life); a stream the server
 * ends, refuses or drops is an error.
 */
export class StreamChurn {
  private readonly streams = new Set<ChurnStream>();
  private ramp: NodeJS.Timeout | undefined;
  private stopping = false;
  private totals = StreamChurn.emptyTotals();
  private latencies: number[] = [];
  private errorSamples: string[] = [];

  constructor(private readonly plan: ChurnPlan) {}

  private static emptyTotals() {
    return { opened: 0, closed: 0, received: 0, missed: 0, duplicates: 0, outOfOrder: 0, errors: 0 };
  }

  start(): void {
    this.ramp = setInterval(() => {
      const missing = this.plan.streams - this.streams.size;
      for (let i = 0; i < Math.min(missing, this.plan.rampPer100Ms); i += 1) this.open();
      if (missing <= this.plan.rampPer100Ms) {
        clearInterval(this.ramp);
        this.ramp = undefined;
      }
    }, 100);
  }

  /** Counters since the previous report, and the streams open now. */
  report(): ChurnReport {
    return this.takeReport();
  }

  /** Closes every stream; the report includes their figures. */
  stop(): ChurnReport {
    this.stopping = true;
    clearInterval(this.ramp);
    for (const entry of [...this.streams]) this.retire(entry);
    return this.takeReport();
  }

  private takeReport(): ChurnReport {
    const sorted = Float64Array.from(this.latencies).sort();
    let connected = 0;
    for (const entry of this.streams) if (entry.connected) connected += 1;
    const report: ChurnReport = {
      open: this.streams.size,
      connected,
      ...this.totals,
      errorSamples: this.errorSamples,
      latencyP50Ms: percentile(sorted, 50),
      latencyP99Ms: percentile(sorted, 99),
    };
    this.totals = StreamChurn.emptyTotals();
    this.latencies = [];
    this.errorSamples = [];
    return report;
  }

  private open(): void {
    const { plan } = this;
    const threadId = plan.threadIds[Math.floor(Math.random() * plan.threadIds.length)] as string;
    const check = new DeliveryCheck();
    const lifetime = plan.minLifeMs + Math.random() * (plan.maxLifeMs - plan.minLifeMs);
    const entry = { check, connected: false } as ChurnStream;
    // Latency counts live events only: those published after the stream opened, not its replay of the run.
    const openedAt = Date.now();
    entry.stream = new SseStream(
      { kind: 'sse', baseUrl: plan.baseUrl, token: plan.token },
      { threadId, lastEventId: null },
      {
        onEvent: (id, data) => {
          this.totals.received += 1;
          if (id !== null) check.accept(id);
          const ts = Number(TS_FIELD.exec(data)?.[1] ?? 0);
          if (ts >= openedAt && this.latencies.length < MAX_LATENCIES_PER_REPORT) this.latencies.push(Date.now() - ts);
        },
        onHeartbeat: () => {},
        onError: (message) => {
          this.totals.errors += 1;
          if (this.errorSamples.length < 5) this.errorSamples.push(message);
          this.retire(entry);
          if (!this.stopping) this.open();
        },
      },
    );
    entry.stream.opened.then(
      () => {
        entry.connected = true;
      },
      () => {},
    );
    entry.timer = setTimeout(() => {
      this.retire(entry);
      if (!this.stopping) this.open();
    }, lifetime);
    this.streams.add(entry);
    this.totals.opened += 1;
  }

  /** Closes a stream (if it is not already closed) and adds its delivery figures. */
  private retire(entry: ChurnStream): void {
    if (!this.streams.delete(entry)) return;
    clearTimeout(entry.timer);
    entry.stream.close();
    const counts = entry.check.counts(undefined);
    this.totals.closed += 1;
    this.totals.missed += counts.missed;
    this.totals.duplicates += counts.duplicates;
    // An id of another epoch or a live-only one cannot follow a kept one here: counted as out of order.
    this.totals.outOfOrder += counts.outOfOrder + counts.foreign;
  }
}
