import { RecentEntries } from './recent-entries.ts';

/**
 * When this process last renewed each thread's expiry: a busy history gets its TTL renewed with one of its events
 * once `everyMs` has passed, not with every event (two EXPIREs, or a read of when they were last done, cost Redis
 * more per event than anything but its XADD).
 */
export class RenewalSchedule {
  private readonly renewals: RecentEntries<true>;

  constructor(
    private readonly everyMs: number,
    now?: () => number,
  ) {
    this.renewals = new RecentEntries(everyMs, now);
  }

  /** The time now, to pass to `renewed` for a renewal sent now. */
  time(): number {
    return this.renewals.now();
  }

  /** Whether `key`'s expiry should be renewed with its next event. */
  due(key: string): boolean {
    if (this.everyMs <= 0) return true;
    const last = this.renewals.get(key);
    return last === undefined || this.renewals.now() - last.at >= this.everyMs;
  }

  /** `key`'s expiry was renewed by a command sent at `sentAt` (the time before Redis ran it: a bound that errs early). */
  renewed(key: string, sentAt: number): void {
    if (this.everyMs <= 0) return;
    const last = this.renewals.get(key);
    if (last === undefined || last.at < sentAt) this.renewals.set(key, true, sentAt);
  }
}
