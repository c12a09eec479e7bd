import { z } from 'zod';
import { eventIdSchema } from './event-id.ts';
import { runIdSchema, threadIdSchema, userIdSchema } from './ids.ts';
import { messagePartSchema } from './message-parts.ts';
import { finishReasonSchema, usageSchema } from './parts.ts';
import { runStateSchema } from './stream-event.ts';

/** Inputs and outputs of every procedure. The router validates with these; the clients infer their types from it. */

/** What a server allows by default; its PROMPT_MAX_CHARS setting decides (PAYLOAD_TOO_LARGE beyond it). */
export const DEFAULT_PROMPT_MAX_CHARS = 20_000;
export const TITLE_MAX_CHARS = 200;

export const devLoginInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name is required')
    .max(64, 'name is at most 64 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'name may contain only letters, digits, "_" and "-"'),
});
export const devLoginOutput = z.object({ token: z.string(), userId: userIdSchema, expiresAt: z.number().int() });

/** Who the session (cookie or bearer token) is, and when it ends (ms since the epoch). */
export const sessionOutput = z.object({ userId: userIdSchema, name: z.string(), expiresAt: z.number().int() });
export type SessionOutput = z.infer<typeof sessionOutput>;

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
  prompt: z.string().trim().min(1, 'prompt is required'),
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

export const runRefInput = z.object({ runId: runIdSchema });

/**
 * `run.approveTool`: the thread owner's answer to a tool that waits for approval (its `tool-approval-request`
 * part). The run, `waiting` until then, goes on: the tool runs if approved, and the model is told it was denied
 * otherwise. Answered once: a second answer, from any tab, is refused (CONFLICT).
 */
export const approveToolInput = z.object({
  runId: runIdSchema,
  toolCallId: z.string().min(1).max(128),
  approved: z.boolean(),
  reason: z.string().trim().max(1_000, 'reason is at most 1000 characters').optional(),
});
export const approveToolOutput = z.object({ runId: runIdSchema, state: runStateSchema });

/** A run as `run.get` reports it. `text` is the full reply once done. */
export const runSchema = z.object({
  runId: runIdSchema,
  threadId: threadIdSchema,
  prompt: z.string(),
  state: runStateSchema,
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  reason: z.string().optional(),
  text: z.string().optional(),
});
export type Run = z.infer<typeof runSchema>;

/** What the provider reported for a finished run. */
export const runUsageSchema = z.object({
  usage: usageSchema.optional(),
  model: z.string().optional(),
  finishReason: finishReasonSchema.optional(),
});

export const cancelRunOutput = z.object({ runId: runIdSchema, state: runStateSchema });

export const threadRefInput = z.object({ threadId: threadIdSchema });

/**
 * One prompt and its reply. For a run in progress `text` and `parts` are the reply so far (from the thread's
 * retained history, up to the detail's `lastEventId`); for a finished run, its final text and parts.
 */
export const threadMessageSchema = z.object({
  runId: runIdSchema,
  prompt: z.string(),
  state: runStateSchema,
  text: z.string(),
  /** Tokens that make up `text` (for a run in progress: received so far). */
  tokenCount: z.number().int().nonnegative(),
  /** The reply as parts: text, reasoning, tool calls with their arguments and outputs, steps, sources, data. */
  parts: z.array(messagePartSchema),
  /** Delta events that make up `parts` (with `tokenCount`, how a client checks it missed none). */
  deltaCount: z.number().int().nonnegative(),
  reason: z.string().optional(),
  createdAt: z.number().int(),
  ...runUsageSchema.shape,
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

/** `thread.get`: render `messages`, then subscribe with `lastEventId` to continue live with no gap. */
export const threadDetailSchema = threadSchema.extend({
  messages: z.array(threadMessageSchema),
  lastEventId: eventIdSchema.nullable(),
});
export type ThreadDetail = z.infer<typeof threadDetailSchema>;

export type DevLoginInput = z.infer<typeof devLoginInput>;
export type DevLoginOutput = z.infer<typeof devLoginOutput>;
export type CreateThreadInput = z.infer<typeof createThreadInput>;
export type CreateThreadOutput = z.infer<typeof createThreadOutput>;
export type ListThreadsOutput = z.infer<typeof listThreadsOutput>;
export type StartRunInput = z.infer<typeof startRunInput>;
export type StartRunOutput = z.infer<typeof startRunOutput>;
export type OnEventInput = z.infer<typeof onEventInput>;
export type ApproveToolInput = z.infer<typeof approveToolInput>;
export type ApproveToolOutput = z.infer<typeof approveToolOutput>;
export type RunUsage = z.infer<typeof runUsageSchema>;
export type CancelRunOutput = z.infer<typeof cancelRunOutput>;
