import type { SubscriptionObserver } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import type { StreamCloseReason } from './stream-ending.ts';
import type { StreamItem } from './stream-source.ts';

/** What a server counts about the streams of one procedure: plain calls, the host implements them (prom-client). */
export interface ProcedureStreamMetrics {
  opened(): void;
  closed(reason: StreamCloseReason): void;
  /** An item was written to a client's stream; `replayed` when it came from history rather than live. */
  delivered(data: unknown, replayed: boolean): void;
  /** Live items discarded for a client that fell too far behind (it resumes from history). */
  dropped(count: number): void;
}

/** The stream metrics of a server, per procedure path (`thread.onEvent`): looked up once per stream, not per item. */
export interface StreamMetrics {
  procedure(path: string): ProcedureStreamMetrics;
}

const noProcedureMetrics: ProcedureStreamMetrics = { opened() {}, closed() {}, delivered() {}, dropped() {} };

export const noStreamMetrics: StreamMetrics = { procedure: () => noProcedureMetrics };

/** Fields of a stream's log lines that its procedure adds (`ctx.stream.describe`), e.g. the thread it follows. */
export type StreamLogFields = Record<string, string | number | boolean | null>;

/**
 * What a stream procedure sees of its stream (`ctx.stream`): it names what the stream follows for its log
 * lines, and it is the observer to hand a bus subscription, so replayed and dropped items are counted.
 */
export interface StreamScope extends SubscriptionObserver {
  describe(fields: StreamLogFields): void;
}

export interface StreamFields {
  /** The request's id (`X-Request-Id` from a proxy, or one of ours): every line of this stream carries it. */
  streamId: string;
  /** The procedure's path, e.g. `thread.onEvent`. */
  procedure: string;
  userId: string;
}

/**
 * One open stream, for logs and metrics: exactly one line when it opens and one when it closes (with its
 * duration, items and reason), never one per item. It is the subscription's observer, so it knows which
 * items came from history (their publish-to-send latency is not a live one).
 */
export class ObservedStream implements StreamScope {
  private openedAt = 0;
  /**
   * The history item the subscription is delivering now: it reports each one just before delivering it,
   * so one reference tells them apart.
   */
  private replaying: object | null = null;
  private items = 0;
  private state: 'new' | 'open' | 'closed' = 'new';
  private described: StreamLogFields | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: ProcedureStreamMetrics,
    private readonly fields: StreamFields,
  ) {}

  describe(fields: StreamLogFields): void {
    this.described = fields;
  }

  /** The procedure accepted the stream: counted, and logged with what it described. */
  open(): void {
    if (this.state !== 'new') return;
    this.state = 'open';
    this.openedAt = Date.now();
    this.metrics.opened();
    this.logger.info(this.line(), 'stream opened');
  }

  replayed(item: object): void {
    this.replaying = item;
  }

  dropped(count: number): void {
    this.metrics.dropped(count);
  }

  delivered(item: StreamItem): void {
    this.items += 1;
    const replayed = item === this.replaying;
    if (replayed) this.replaying = null;
    this.metrics.delivered(item.event, replayed);
  }

  close(reason: StreamCloseReason, failure?: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'closed';
    this.metrics.closed(reason);
    const line = { ...this.line(), reason, events: this.items, durationMs: Date.now() - this.openedAt };
    if (reason === 'interrupted') this.logger.warn({ ...line, err: failure }, 'stream closed');
    else this.logger.info(line, 'stream closed');
  }

  private line(): Record<string, unknown> {
    return { ...this.fields, ...this.described };
  }
}
