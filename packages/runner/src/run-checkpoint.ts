import { finishReasonSchema, messagePartSchema, usageSchema } from '@threadcast/contract';
import { z } from 'zod';

const id = z.string().min(1).max(128);

export const agentMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string(),
    toolCalls: z.array(z.object({ toolCallId: id, toolName: z.string(), argsText: z.string() })).optional(),
  }),
  z.object({ role: z.literal('tool'), toolCallId: id, toolName: z.string(), content: z.string() }),
]);

/** One call of the step in progress: `result` is what the model will read, missing while it awaits approval. */
export const stepCallSchema = z.object({
  toolCallId: id,
  toolName: z.string(),
  /** The checked arguments, for a call that still has to run. */
  input: z.json().optional(),
  result: z.string().optional(),
});
export type StepCall = z.infer<typeof stepCallSchema>;

/** Where the agent loop is: the conversation so far, the steps taken, the last step's calls. */
export const loopStateSchema = z.object({
  messages: z.array(agentMessageSchema),
  step: z.number().int().nonnegative(),
  calls: z.array(stepCallSchema),
  usage: usageSchema.optional(),
  model: z.string().optional(),
  finishReason: finishReasonSchema.optional(),
});
export type LoopState = z.infer<typeof loopStateSchema>;

/**
 * What a paused run stores (`RunRecord.checkpoint`) so that any worker can go on with it: the loop, what it
 * published, and the publisher's next sequence number, which the paused run's `waiting` status took (the
 * resumed run publishes that status again under it, a duplicate if it was stored, so the sequence has no gap).
 */
export const runCheckpointSchema = z.object({
  version: z.literal(1),
  loop: loopStateSchema,
  transcript: z.object({
    text: z.string(),
    tokenCount: z.number().int().nonnegative(),
    deltaCount: z.number().int().nonnegative(),
    parts: z.array(messagePartSchema),
  }),
  nextSequence: z.number().int().positive(),
});
export type RunCheckpoint = z.infer<typeof runCheckpointSchema>;

/** A checkpoint that cannot be read: it was written by another version, or damaged. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export function encodeCheckpoint(checkpoint: RunCheckpoint): string {
  return JSON.stringify(checkpoint);
}

export function decodeCheckpoint(text: string): RunCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointError('the run cannot resume: its checkpoint is not JSON');
  }
  const parsed = runCheckpointSchema.safeParse(value);
  if (!parsed.success) throw new CheckpointError(`the run cannot resume: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
