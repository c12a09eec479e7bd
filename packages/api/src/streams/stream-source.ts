import type { EventFeed } from '@threadcast/bus';

/** One item of a stream: its SSE id (for resuming after it), if it has one, and what the client receives. */
export interface StreamItem<T = unknown> {
  readonly id?: string | undefined;
  readonly event: T;
}

/**
 * Takes a stream's items as its source pushes them, in order. A bus `EventConsumer` is one (a stored event is
 * an item). `deliver` returning false asks for nothing more until the feed's `resume`; `end` comes once, last:
 * with what broke the source, or with nothing when it was stopped or finished.
 */
export interface StreamSink<T = unknown> {
  deliver(item: StreamItem<T>): boolean;
  end(failure?: unknown): void;
}

/** Starts a push source for `sink`; the feed it returns resumes and stops it. */
export type StartPush<T> = (sink: StreamSink<T>) => EventFeed;
