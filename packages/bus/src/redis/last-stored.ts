import { RecentEntries } from './recent-entries.ts';

interface Stored {
  producer: string;
  sequence: number;
  epoch: string;
  seq: number;
}

/**
 * Each thread's last event this process stored, with its producer and sequence, while recent: the producer's next
 * event can tell publish-n.lua where it expects the thread to be, and the script then reads only the thread's
 * position, not the producer's state (a run's tokens go one after the other from one worker, so this is the common
 * case). The script checks the position, so a stale entry only costs the read it would have saved.
 */
export class LastStored {
  private readonly threads: RecentEntries<Stored>;

  constructor(keepMs = 60_000, now?: () => number) {
    this.threads = new RecentEntries(keepMs, now);
  }

  /** Where `thread` is if nothing was stored there since this process stored `producer`'s event `sequence - 1`. */
  expected(thread: string, producer: string, sequence: number): { epoch: string; seq: number } | null {
    const stored = this.threads.get(thread)?.value;
    if (!stored || stored.producer !== producer || stored.sequence !== sequence - 1) return null;
    return stored;
  }

  /** `producer`'s event `sequence` (not its final one) was stored at `epoch:seq`, the thread's newest position. */
  stored(thread: string, producer: string, sequence: number, epoch: string, seq: number): void {
    this.threads.set(thread, { producer, sequence, epoch, seq });
  }

  /** Something else happened on `thread` (a refusal, an event of no producer, a final one): expect nothing. */
  forget(thread: string): void {
    this.threads.delete(thread);
  }
}
