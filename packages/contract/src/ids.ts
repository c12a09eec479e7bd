import { z } from 'zod';

/** Ids that become part of Redis keys and channels: a strict charset so no input can form a pattern or a key separator. */
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const ID_MESSAGE = 'may contain only letters, digits, "_" and "-"';

export const threadIdSchema = z.string().min(1).max(64).regex(ID_PATTERN, `threadId ${ID_MESSAGE}`);
export const runIdSchema = z.string().min(1).max(64).regex(ID_PATTERN, `runId ${ID_MESSAGE}`);
export const userIdSchema = z.string().min(1).max(64).regex(ID_PATTERN, `userId ${ID_MESSAGE}`);

export type ThreadId = z.infer<typeof threadIdSchema>;
export type RunId = z.infer<typeof runIdSchema>;
export type UserId = z.infer<typeof userIdSchema>;
