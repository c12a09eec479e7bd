import type { QueueDepth, RunJob, RunLease, RunQueue } from '../run-queue.ts';

interface Held {
  job: RunJob;
  renewedAt: number;
}

export class MemoryRunQueue implements RunQueue {
  private readonly jobs: RunJob[] = [];
  private readonly takers: ((job: RunJob) => void)[] = [];
  private readonly held = new Set<Held>();

  async enqueue(job: RunJob): Promise<void> {
    const taker = this.takers.shift();
    if (taker) taker(job);
    else this.jobs.push(job);
  }

  async take(_consumer: string, signal: AbortSignal): Promise<RunLease | null> {
    const job = await this.nextJob(signal);
    return job ? this.lease(job) : null;
  }

  async reclaimAbandoned(_consumer: string, idleMs: number): Promise<RunLease[]> {
    const now = Date.now();
    const abandoned = [...this.held].filter((held) => now - held.renewedAt >= idleMs);
    for (const held of abandoned) this.held.delete(held);
    return abandoned.map((held) => this.lease(held.job));
  }

  async depth(): Promise<QueueDepth> {
    return { waiting: this.jobs.length, leased: this.held.size };
  }

  private lease(job: RunJob): RunLease {
    const held: Held = { job, renewedAt: Date.now() };
    this.held.add(held);
    return {
      job,
      renew: async () => {
        held.renewedAt = Date.now();
      },
      complete: async () => {
        this.held.delete(held);
      },
    };
  }

  private nextJob(signal: AbortSignal): Promise<RunJob | null> {
    if (signal.aborted) return Promise.resolve(null);
    const job = this.jobs.shift();
    if (job) return Promise.resolve(job);
    return new Promise((resolve) => {
      const taker = (next: RunJob) => {
        signal.removeEventListener('abort', onAbort);
        resolve(next);
      };
      const onAbort = () => {
        const index = this.takers.indexOf(taker);
        if (index >= 0) this.takers.splice(index, 1);
        resolve(null);
      };
      this.takers.push(taker);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
