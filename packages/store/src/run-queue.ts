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

/** Runs waiting for workers, first in first out; each job is handed to exactly one taker. */
export interface RunQueue {
  enqueue(job: RunJob): Promise<void>;
  /** Waits for the next job; resolves `null` once the signal aborts. */
  take(signal: AbortSignal): Promise<RunJob | null>;
}
