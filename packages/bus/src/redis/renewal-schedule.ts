/**
 * When this process last renewed each thread's expiry: a busy history gets its TTL renewed with one of its events
 * once `everyMs` has passed, not with every event (two EXPIREs, or a read of when they were last done, cost Redis
 * more per event than anything but its XADD). Entries older than `everyMs` are dropped once per period, so memory
 * is bounded by the threads renewed in the last two periods.
 */
export class RenewalSchedule {
  private readonly renewedAt = new Map<string, number>();
  private prunedAt: number;

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.prunedAt = now();
  }

  /** The time now, to pass to `renewed` for a renewal sent now. */
  time(): number {
    return this.now();
  }

  /** Whether `key`'s expiry should be renewed with its next event. */
  due(key: string): boolean {
    if (this.everyMs <= 0) return true;
    const now = this.now();
    if (now - this.prunedAt >= this.everyMs) {
      this.prunedAt = now;
      for (const [renewed, at] of this.renewedAt) if (now - at >= this.everyMs) this.renewedAt.delete(renewed);
    }
    const at = this.renewedAt.get(key);
    return at === undefined || now - at >= this.everyMs;
  }

  /** `key`'s expiry was renewed by a command sent at `sentAt` (the time before Redis ran it: a bound that errs early). */
  renewed(key: string, sentAt: number): void {
    if (this.everyMs <= 0) return;
    const at = this.renewedAt.get(key);
    if (at === undefined || at < sentAt) this.renewedAt.set(key, sentAt);
  }
}
