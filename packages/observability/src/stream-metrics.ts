import type { ProcedureStreamMetrics, StreamCloseReason, StreamMetrics } from '@threadcast/api';
import type { StreamEvent } from '@threadcast/contract';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Publish-to-send latency buckets, in seconds: from a loopback hop to a stalled proxy. */
export const DELIVERY_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The stream series of a server, labelled by procedure (`thread.onEvent`), counted with prom-client. */
export class PromStreamMetrics implements StreamMetrics {
  private readonly open: Gauge;
  private readonly deliveredTotal: Counter;
  private readonly replayedTotal: Counter;
  private readonly resetsTotal: Counter;
  private readonly droppedTotal: Counter;
  private readonly slowConsumersTotal: Counter;
  private readonly latency: Histogram;
  private readonly byProcedure = new Map<string, ProcedureStreamMetrics>();

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['procedure'];
    this.open = new Gauge({
      name: 'threadcast_streams_open',
      help: 'Subscription streams open on this server',
      labelNames,
      registers,
    });
    this.deliveredTotal = new Counter({
      name: 'threadcast_events_delivered_total',
      help: 'Events written to clients, live and replayed',
      labelNames,
      registers,
    });
    this.replayedTotal = new Counter({
      name: 'threadcast_events_replayed_total',
      help: 'Events written to clients from history (a resume, or a gap in the live feed filled), part of delivered',
      labelNames,
      registers,
    });
    this.resetsTotal = new Counter({
      name: 'threadcast_reset_notices_total',
      help: 'status reset notices sent: a client was told its history was trimmed or lost',
      labelNames,
      registers,
    });
    this.droppedTotal = new Counter({
      name: 'threadcast_events_dropped_total',
      help: 'Live events discarded for clients that fell SUBSCRIBER_MAX_QUEUED behind (they resume from history)',
      labelNames,
      registers,
    });
    this.slowConsumersTotal = new Counter({
      name: 'threadcast_slow_consumer_disconnects_total',
      help: 'Streams ended because their client read too slowly',
      labelNames,
      registers,
    });
    this.latency = new Histogram({
      name: 'threadcast_delivery_latency_seconds',
      help: "Time from an event's publish (its ts) to its write to a client, live events only",
      buckets: DELIVERY_LATENCY_BUCKETS,
      labelNames,
      registers,
    });
    // A series of each with no procedure, always 0: every metric is in the scrape (0) before the first stream opens.
    this.open.set(0);
    for (const counter of [
      this.deliveredTotal,
      this.replayedTotal,
      this.resetsTotal,
      this.droppedTotal,
      this.slowConsumersTotal,
    ]) {
      counter.inc(0);
    }
    this.latency.zero({});
  }

  /** One procedure's series, bound once: observing through them skips prom-client's per-call label handling. */
  procedure(path: string): ProcedureStreamMetrics {
    let metrics = this.byProcedure.get(path);
    if (metrics === undefined) {
      metrics = new BoundStreamMetrics({
        open: this.open.labels(path),
        delivered: this.deliveredTotal.labels(path),
        replayed: this.replayedTotal.labels(path),
        resets: this.resetsTotal.labels(path),
        dropped: this.droppedTotal.labels(path),
        slowConsumers: this.slowConsumersTotal.labels(path),
        latency: this.latency.labels(path),
      });
      this.byProcedure.set(path, metrics);
    }
    return metrics;
  }
}

interface BoundSeries {
  open: Gauge.Internal<string>;
  delivered: Counter.Internal;
  replayed: Counter.Internal;
  resets: Counter.Internal;
  dropped: Counter.Internal;
  slowConsumers: Counter.Internal;
  latency: Histogram.Internal<string>;
}

class BoundStreamMetrics implements ProcedureStreamMetrics {
  constructor(private readonly series: BoundSeries) {}

  opened(): void {
    this.series.open.inc();
  }

  closed(reason: StreamCloseReason): void {
    this.series.open.dec();
    if (reason === 'slow_consumer') this.series.slowConsumers.inc();
  }

  delivered(data: unknown, replayed: boolean): void {
    this.series.delivered.inc();
    if (replayed) {
      this.series.replayed.inc();
      return;
    }
    if (!isTimed(data)) return;
    // A reset notice is made at the subscriber, not published: it has no publish time to measure from.
    if (isResetNotice(data)) {
      this.series.resets.inc();
      return;
    }
    // Clocks of different hosts may disagree by a little: never a negative latency.
    this.series.latency.observe(Math.max(0, Date.now() - data.ts) / 1_000);
  }

  dropped(count: number): void {
    this.series.dropped.inc(count);
  }
}

/** Items that carry their publish time (`ts`, ms), as thread events do: their latency can be measured. */
function isTimed(data: unknown): data is { ts: number; type?: unknown; content?: unknown } {
  return typeof data === 'object' && data !== null && typeof (data as { ts?: unknown }).ts === 'number';
}

function isResetNotice(data: { type?: unknown; content?: unknown }): boolean {
  const event = data as Partial<StreamEvent>;
  return event.type === 'status' && event.content?.state === 'reset';
}
