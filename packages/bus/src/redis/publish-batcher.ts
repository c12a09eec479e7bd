export interface PublishBatchLimits {
  /** Most items in one call. */
  maxItems: number;
  /** Most bytes of items in one call; an item larger than this goes alone. */
  maxBytes: number;
}

interface Batch<Item, Result> {
  items: Item[];
  bytes: number;
  waiters: { resolve(result: Result): void; reject(error: unknown): void }[];
}

/**
 * Sends the items added in one turn of the event loop together, one call per group (a hash slot: one call may only
 * touch keys of one slot on a cluster), in the order they were added. An item added alone goes alone, in the same
 * turn (`process.nextTick`), so batching never adds a wait; a full batch goes at once.
 */
export class PublishBatcher<Item, Result> {
  private readonly pending = new Map<number, Batch<Item, Result>>();
  private scheduled = false;

  constructor(
    private readonly send: (items: Item[]) => Promise<Result[]>,
    private readonly limits: PublishBatchLimits,
  ) {}

  add(group: number, item: Item, bytes: number): Promise<Result> {
    let batch = this.pending.get(group);
    if (batch && (batch.items.length >= this.limits.maxItems || batch.bytes + bytes > this.limits.maxBytes)) {
      this.pending.delete(group);
      this.dispatch(batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { items: [], bytes: 0, waiters: [] };
      this.pending.set(group, batch);
    }
    batch.items.push(item);
    batch.bytes += bytes;
    const result = new Promise<Result>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
    return result;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const batch of batches) this.dispatch(batch);
  };

  private dispatch(batch: Batch<Item, Result>): void {
    let sent: Promise<Result[]>;
    try {
      sent = this.send(batch.items);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (results) => {
        for (const [i, waiter] of batch.waiters.entries()) {
          const result = results[i];
          if (result === undefined) waiter.reject(new Error(`no reply for item ${i} of ${batch.items.length}`));
          else waiter.resolve(result);
        }
      },
      (error: unknown) => {
        for (const waiter of batch.waiters) waiter.reject(error);
      },
    );
  }
}
