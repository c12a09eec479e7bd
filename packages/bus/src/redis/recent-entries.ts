/**
 * Entries by key with the time each was set, kept while recent: those older than `keepMs` are dropped once per
 * `keepMs`, so memory is bounded by the keys set in the last two periods. What the bus remembers per thread.
 */
export class RecentEntries<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private prunedAt: number;

  constructor(
    private readonly keepMs: number,
    readonly now: () => number = () => performance.now(),
  ) {
    this.prunedAt = now();
  }

  get(key: string): { value: V; at: number } | undefined {
    return this.entries.get(key);
  }

  /** Sets `key` as of `at` (default now). */
  set(key: string, value: V, at = this.now()): void {
    if (at - this.prunedAt >= this.keepMs) {
      this.prunedAt = at;
      for (const [old, entry] of this.entries) if (at - entry.at >= this.keepMs) this.entries.delete(old);
    }
    this.entries.set(key, { value, at });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
