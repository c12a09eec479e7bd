import { SlowConsumerError } from './errors.ts';

/**
 * A bounded queue between a push source (a live feed) and one async consumer. It ends when the signal
 * aborts, and fails with SlowConsumerError instead of growing past `limit`.
 */
export class Inbox<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failure: Error | null = null;
  private ended = false;
  /**
   * Offered each item that arrives while the consumer waits with nothing queued; `offer` returning true
   * takes it there and then, and the consumer goes on waiting.
   */
  bypass: { offer(item: T): boolean } | null = null;

  constructor(
    private readonly limit: number,
    signal: AbortSignal,
    /** Told how many items were discarded when the limit was hit, and of each one pushed after that. */
    private readonly drops?: { dropped(count: number): void } | undefined,
  ) {
    if (signal.aborted) this.ended = true;
    // The inbox is its own abort listener (`handleEvent`): no function per inbox.
    else signal.addEventListener('abort', this, { once: true });
  }

  handleEvent(): void {
    this.end();
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.failure) {
      this.drops?.dropped(1);
      return;
    }
    if (this.waiting) {
      if (this.bypass?.offer(item)) return;
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length - this.head >= this.limit) {
      this.failure = new SlowConsumerError(this.limit);
      this.drops?.dropped(this.items.length - this.head + 1);
      this.items.length = 0;
      this.head = 0;
      return;
    }
    this.items.push(item);
  }

  end(): void {
    this.ended = true;
    this.items.length = 0;
    this.head = 0;
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head] as T;
      this.head += 1;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
