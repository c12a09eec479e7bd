import type { RunJob, RunQueue } from '../run-queue.ts';

export class MemoryRunQueue implements RunQueue {
  private readonly jobs: RunJob[] = [];
  private readonly takers: ((job: RunJob) => void)[] = [];

  async enqueue(job: RunJob): Promise<void> {
    const taker = this.takers.shift();
    if (taker) taker(job);
    else this.jobs.push(job);
  }

  take(signal: AbortSignal): Promise<RunJob | null> {
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
