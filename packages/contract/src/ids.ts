import { z } from 'zod';

/** Ids that become part of Redis keys and channels: a strict charset so no input can form a pattern or a key separator. */
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const ID_MAX_LENGTH = 64;
const ID_MESSAGE = 'may contain only letters, digits, "_" and "-"';

const idSchema = z.string().min(1).max(ID_MAX_LENGTH);
export const threadIdSchema = idSchema.regex(ID_PATTERN, `threadId ${ID_MESSAGE}`);
export const runIdSchema = idSchema.regex(ID_PATTERN, `runId ${ID_MESSAGE}`);
export const userIdSchema = idSchema.regex(ID_PATTERN, `userId ${ID_MESSAGE}`);

/** Whether `value` passes `threadIdSchema` (the same rules as every id here), without zod's cost. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= ID_MAX_LENGTH && ID_PATTERN.test(value);
}

export type ThreadId = z.infer<typeof threadIdSchema>;
export type RunId = z.infer<typeof runIdSchema>;
export type UserId = z.infer<typeof userIdSchema>;
