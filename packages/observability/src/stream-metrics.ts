import type { StreamCloseReason, StreamMetrics } from '@threadcast/api';
import type { StreamEvent } from '@threadcast/contract';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Publish-to-send latency buckets, in seconds: from a loopback hop to a stalled proxy. */
export const DELIVERY_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The delivery series of a server: `StreamMetrics` (called by `thread.onEvent`) counted with prom-client. */
export class PromStreamMetrics implements StreamMetrics {
  private readonly open: Gauge;
  private readonly deliveredTotal: Counter;
  private readonly replayedTotal: Counter;
  private readonly resetsTotal: Counter;
  private readonly droppedTotal: Counter;
  private readonly slowConsumersTotal: Counter;
  /** The histogram's one series, bound once: observing through it skips prom-client's per-call label handling. */
  private readonly latency: Histogram.Internal<string>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.open = new Gauge({
      name: 'threadcast_streams_open',
      help: 'thread.onEvent streams open on this server',
      registers,
    });
    this.deliveredTotal = new Counter({
      name: 'threadcast_events_delivered_total',
      help: 'Events written to clients, live and replayed (both SSE modes)',
      registers,
    });
    this.replayedTotal = new Counter({
      name: 'threadcast_events_replayed_total',
      help: 'Events written to clients from history (a resume, or a gap in the live feed filled), part of delivered',
      registers,
    });
    this.resetsTotal = new Counter({
      name: 'threadcast_reset_notices_total',
      help: 'status reset notices sent: a client was told its history was trimmed or lost',
      registers,
    });
    this.droppedTotal = new Counter({
      name: 'threadcast_events_dropped_total',
      help: 'Live events discarded for clients that fell SUBSCRIBER_MAX_QUEUED behind (they resume from history)',
      registers,
    });
    this.slowConsumersTotal = new Counter({
      name: 'threadcast_slow_consumer_disconnects_total',
      help: 'Streams ended because their client read too slowly',
      registers,
    });
    this.latency = new Histogram({
      name: 'threadcast_delivery_latency_seconds',
      help: "Time from an event's publish (its ts) to its write to a client, live events only",
      buckets: DELIVERY_LATENCY_BUCKETS,
      registers,
    }).labels();
  }

  streamOpened(): void {
    this.open.inc();
  }

  streamClosed(reason: StreamCloseReason): void {
    this.open.dec();
    if (reason === 'slow_consumer') this.slowConsumersTotal.inc();
  }

  delivered(event: StreamEvent, replayed: boolean): void {
    this.deliveredTotal.inc();
    if (replayed) {
      this.replayedTotal.inc();
      return;
    }
    // A reset notice is made at the subscriber, not published: it has no publish time to measure from.
    if (event.type === 'status' && event.content.state === 'reset') {
      this.resetsTotal.inc();
      return;
    }
    // Clocks of different hosts may disagree by a little: never a negative latency.
    this.latency.observe(Math.max(0, Date.now() - event.ts) / 1_000);
  }

  dropped(count: number): void {
    this.droppedTotal.inc(count);
  }
}
