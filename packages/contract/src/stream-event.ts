import { z } from 'zod';
import { isId, runIdSchema, threadIdSchema } from './ids.ts';
import { deltaPartSchema, finishReasonSchema, usageSchema } from './parts.ts';

/** `waiting`: paused until the thread's owner approves or denies a tool (`run.approveTool`). */
export const runStates = ['queued', 'running', 'waiting', 'done', 'error', 'cancelled'] as const;
export const runStateSchema = z.enum(runStates);

/** A run that has not ended (`queued`, `running` or `waiting`): it may still add to its reply, and it can be stopped. */
export function isBusy(state: RunState | 'idle'): boolean {
  return state === 'queued' || state === 'running' || state === 'waiting';
}
export type RunState = z.infer<typeof runStateSchema>;

export const streamEventTypes = ['token', 'status', 'delta', 'done', 'error'] as const;
export type StreamEventType = (typeof streamEventTypes)[number];

/** Fields every event carries. `ts` is Unix milliseconds at publish; `runId` is set on events of a run. */
const base = {
  threadId: threadIdSchema,
  ts: z.number().int().nonnegative(),
  runId: runIdSchema.optional(),
};

export const tokenEventSchema = z.object({ ...base, type: z.literal('token'), content: z.string() });

/** A run changed state. */
export const runStatusContentSchema = z.object({
  state: runStateSchema,
  runId: runIdSchema,
  reason: z.string().optional(),
});

/**
 * The stream could not continue exactly where the client left off (its history was trimmed past the
 * client's position, or lost): what follows is what is still retained.
 */
export const resetStatusContentSchema = z.object({
  state: z.literal('reset'),
  reason: z.string(),
});

export const statusContentSchema = z.union([runStatusContentSchema, resetStatusContentSchema]);
export type StatusContent = z.infer<typeof statusContentSchema>;

export const statusEventSchema = z.object({ ...base, type: z.literal('status'), content: statusContentSchema });

/** One part of a run's message other than its text: reasoning, a tool call, a step, a source, an app's data (`parts.ts`). */
export const deltaEventSchema = z.object({ ...base, type: z.literal('delta'), content: deltaPartSchema });

/**
 * `text` is the whole reply, `tokenCount` the number of token events and `deltaCount` the number of delta
 * events, so a client can check it missed none. `usage`, `model` and `finishReason` are there when the
 * provider reported them.
 */
export const doneContentSchema = z.object({
  runId: runIdSchema,
  text: z.string(),
  tokenCount: z.number().int().nonnegative(),
  deltaCount: z.number().int().nonnegative().optional(),
  usage: usageSchema.optional(),
  model: z.string().optional(),
  finishReason: finishReasonSchema.optional(),
});

export const doneEventSchema = z.object({ ...base, type: z.literal('done'), content: doneContentSchema });

export const errorContentSchema = z.object({
  message: z.string(),
  runId: runIdSchema.optional(),
});

export const errorEventSchema = z.object({ ...base, type: z.literal('error'), content: errorContentSchema });

/**
 * One event of a thread: `{ type, threadId, content, ts }` plus an optional `runId`.
 * `content` is a string for tokens and an object for every other type.
 */
export const streamEventSchema = z.discriminatedUnion('type', [
  tokenEventSchema,
  statusEventSchema,
  deltaEventSchema,
  doneEventSchema,
  errorEventSchema,
]);

export type StreamEvent = z.infer<typeof streamEventSchema>;
export type TokenEvent = z.infer<typeof tokenEventSchema>;
export type StatusEvent = z.infer<typeof statusEventSchema>;
export type DeltaEvent = z.infer<typeof deltaEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;

const TOKEN_EVENT_KEYS = new Set(['type', 'threadId', 'content', 'ts', 'runId']);

/**
 * What `streamEventSchema` makes of a value (from `JSON.parse`), or null when it is not an event. A token
 * event with only its own fields, the bulk of every stream, is checked by hand and returned itself rather
 * than as zod's copy (a server decodes one per delivery); anything else goes through zod.
 */
export function toStreamEvent(value: unknown): StreamEvent | null {
  if (isPlainTokenEvent(value)) return value;
  const parsed = streamEventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function isPlainTokenEvent(value: unknown): value is TokenEvent {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const event = value as Record<string, unknown>;
  for (const key in event) if (!TOKEN_EVENT_KEYS.has(key)) return false;
  return (
    event.type === 'token' &&
    typeof event.content === 'string' &&
    isId(event.threadId) &&
    Number.isSafeInteger(event.ts) &&
    (event.ts as number) >= 0 &&
    (event.runId === undefined ? !('runId' in event) : isId(event.runId))
  );
}

/** Parses untrusted JSON text (a Redis message, a file) into an event, or says why it is not one. */
export function parseStreamEvent(json: string): { ok: true; event: StreamEvent } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = streamEventSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  return { ok: true, event: parsed.data };
}
