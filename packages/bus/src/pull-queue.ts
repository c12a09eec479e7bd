import type { StoredEvent } from './event-bus.ts';

/** What a pull queue asks for more events, and tells when its reader gives up. */
export interface PullSource {
  resume(): void;
  stop(): void;
}

/**
 * The pull side of a push subscription (an `EventConsumer` for bus events, or any pushed item): an async iterator over what a feed delivers. It asks the feed to
 * wait (`deliver` returns false) whenever its reader is not waiting, so it holds at most the one or two
 * items handed over since; whatever piles up while the reader is busy waits in the feed, which bounds it.
 * Items delivered before a failure are still read before it is reported; a stop discards them (the reader
 * or its signal asked for nothing more).
 */
export class PullQueue<T = StoredEvent> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: { resolve(result: IteratorResult<T>): void; reject(reason: unknown): void } | null = null;
  private finished = false;
  private failure: unknown;
  /** Set once the feed exists: it is created with its consumer. */
  source: PullSource | null = null;

  deliver(item: T): boolean {
    const { waiting } = this;
    if (waiting === null || this.items.length > 0) {
      this.items.push(item);
      return false;
    }
    this.waiting = null;
    waiting.resolve({ value: item, done: false });
    return true;
  }

  end(failure?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    if (failure === undefined) this.items.length = 0;
    const { waiting } = this;
    this.waiting = null;
    if (waiting === null) return;
    if (failure === undefined) waiting.resolve({ value: undefined, done: true });
    else {
      this.failure = undefined;
      waiting.reject(failure);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.finished) {
      const { failure } = this;
      this.failure = undefined;
      return failure === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      // May deliver (or end) at once, into the reader just set.
      this.source?.resume();
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.failure = undefined;
    this.source?.stop();
    this.end();
    this.items.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
