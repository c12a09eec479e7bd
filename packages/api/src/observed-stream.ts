import { SlowConsumerError, type StoredEvent, type SubscriptionObserver } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import type { StreamEvent } from '@threadcast/contract';

/** Why a `thread.onEvent` stream ended, as its close log line and the metrics name it. */
export type StreamCloseReason =
  | 'client_closed'
  | 'token_expired'
  | 'max_duration'
  | 'slow_consumer'
  | 'interrupted'
  | 'ended';

/** What a server counts about its event streams: plain calls, the host implements them (apps/server with prom-client). */
export interface StreamMetrics {
  streamOpened(): void;
  streamClosed(reason: StreamCloseReason): void;
  /** An event was written to a client's stream; `replayed` when it came from history rather than live. */
  delivered(event: StreamEvent, replayed: boolean): void;
  /** Live events discarded for a client that fell too far behind (it resumes from history). */
  dropped(count: number): void;
}

export const noStreamMetrics: StreamMetrics = {
  streamOpened() {},
  streamClosed() {},
  delivered() {},
  dropped() {},
};

export interface StreamFields {
  /** The request's id (`X-Request-Id` from a proxy, or one of ours): every line of this stream carries it. */
  streamId: string;
  threadId: string;
  userId: string;
  /** The event id the client resumes after, or null for a fresh start. */
  resumeFrom: string | null;
}

export interface StreamEnd {
  /** The stream's timer fired (token expiry, or the longest wait a timer allows). */
  timedOut: boolean;
  /** The client went away (its request was aborted). */
  clientGone: boolean;
  /** What broke the stream, if something did. */
  failure: unknown;
}

/**
 * One open `thread.onEvent` stream, for logs and metrics: exactly one line when it opens and one when it
 * closes (with its duration, events and reason), never one per event. It is the subscription's observer,
 * so it knows which events came from history (their publish-to-send latency is not a live one).
 */
export class ObservedStream implements SubscriptionObserver {
  private readonly openedAt = Date.now();
  /**
   * The history event the subscription is delivering now: it reports each one just before delivering it,
   * so one reference tells them apart.
   */
  private replaying: StoredEvent | null = null;
  private events = 0;
  private closed = false;

  constructor(
    private readonly deps: { logger: Logger; metrics: StreamMetrics; expiresAt: number },
    private readonly fields: StreamFields,
  ) {
    deps.metrics.streamOpened();
    deps.logger.info({ ...fields }, 'stream opened');
  }

  replayed(event: StoredEvent): void {
    this.replaying = event;
  }

  dropped(count: number): void {
    this.deps.metrics.dropped(count);
  }

  delivered(stored: StoredEvent): void {
    this.events += 1;
    const replayed = stored === this.replaying;
    if (replayed) this.replaying = null;
    this.deps.metrics.delivered(stored.event, replayed);
  }

  close(end: StreamEnd): void {
    if (this.closed) return;
    this.closed = true;
    const reason = closeReason(end, this.deps.expiresAt);
    this.deps.metrics.streamClosed(reason);
    const line = { ...this.fields, reason, events: this.events, durationMs: Date.now() - this.openedAt };
    if (reason === 'interrupted') this.deps.logger.warn({ ...line, err: end.failure }, 'stream closed');
    else this.deps.logger.info(line, 'stream closed');
  }
}

function closeReason(end: StreamEnd, expiresAt: number): StreamCloseReason {
  if (end.failure instanceof SlowConsumerError) return 'slow_consumer';
  if (end.timedOut) return Date.now() >= expiresAt ? 'token_expired' : 'max_duration';
  if (end.failure !== undefined && end.failure !== null) return 'interrupted';
  return end.clientGone ? 'client_closed' : 'ended';
}
