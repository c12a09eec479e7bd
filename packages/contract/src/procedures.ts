import { z } from 'zod';
import { eventIdSchema } from './event-id.ts';
import { runIdSchema, threadIdSchema, userIdSchema } from './ids.ts';

/** Inputs and outputs of every procedure. The router validates with these; the clients infer their types from it. */

export const PROMPT_MAX_CHARS = 20_000;
export const TITLE_MAX_CHARS = 200;

export const devLoginInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name is required')
    .max(64, 'name is at most 64 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'name may contain only letters, digits, "_" and "-"'),
});
export const devLoginOutput = z.object({ token: z.string(), userId: userIdSchema });

export const threadSchema = z.object({
  threadId: threadIdSchema,
  title: z.string(),
  createdAt: z.number().int(),
});
export type Thread = z.infer<typeof threadSchema>;

export const createThreadInput = z.object({
  title: z.string().trim().max(TITLE_MAX_CHARS, `title is at most ${TITLE_MAX_CHARS} characters`).optional(),
});
export const createThreadOutput = z.object({ threadId: threadIdSchema });
export const listThreadsOutput = z.array(threadSchema);

export const startRunInput = z.object({
  threadId: threadIdSchema,
  prompt: z
    .string()
    .trim()
    .min(1, 'prompt is required')
    .max(PROMPT_MAX_CHARS, `prompt is at most ${PROMPT_MAX_CHARS} characters`),
});
export const startRunOutput = z.object({ runId: runIdSchema });

/**
 * `lastEventId` resumes after that event (tRPC fills it in on reconnect). Without it the stream starts at the
 * latest run of the thread, so a tab that opens mid-run sees the whole reply so far.
 */
export const onEventInput = z.object({
  threadId: threadIdSchema,
  lastEventId: eventIdSchema.nullish(),
});

export type DevLoginInput = z.infer<typeof devLoginInput>;
export type DevLoginOutput = z.infer<typeof devLoginOutput>;
export type CreateThreadInput = z.infer<typeof createThreadInput>;
export type CreateThreadOutput = z.infer<typeof createThreadOutput>;
export type ListThreadsOutput = z.infer<typeof listThreadsOutput>;
export type StartRunInput = z.infer<typeof startRunInput>;
export type StartRunOutput = z.infer<typeof startRunOutput>;
export type OnEventInput = z.infer<typeof onEventInput>;
