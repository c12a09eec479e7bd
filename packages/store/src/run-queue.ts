import { runIdSchema, threadIdSchema, userIdSchema } from '@threadcast/contract';
import { z } from 'zod';

export const runJobSchema = z.object({
  runId: runIdSchema,
  threadId: threadIdSchema,
  ownerId: userIdSchema,
  prompt: z.string(),
  enqueuedAt: z.number().int(),
});

/** A run waiting for a worker. */
export type RunJob = z.infer<typeof runJobSchema>;

/** A job handed to one taker, which keeps it until it completes it or stops renewing it. */
export interface RunLease {
  readonly job: RunJob;
  /** Still working on it: resets the time after which the queue counts the job abandoned. */
  renew(): Promise<void>;
  /** The run ended, whatever its state: the job leaves the queue for good. */
  complete(): Promise<void>;
}

/** Runs waiting for workers, first in first out; each job is leased to exactly one taker at a time. */
export interface RunQueue {
  enqueue(job: RunJob): Promise<void>;
  /** Waits for the next job and leases it to `consumer`; resolves `null` once the signal aborts. */
  take(consumer: string, signal: AbortSignal): Promise<RunLease | null>;
  /**
   * Jobs whose lease was not renewed for `idleMs` (their taker died): each is handed to exactly one
   * caller, which becomes responsible for ending the run and completing the lease.
   */
  reclaimAbandoned(consumer: string, idleMs: number): Promise<RunLease[]>;
  /** Jobs waiting for a worker, and jobs leased to one (running, or held by a worker that died). */
  depth(): Promise<QueueDepth>;
}

export interface QueueDepth {
  waiting: number;
  leased: number;
}
