import { z } from 'zod';
import { eventIdSchema } from './event-id.ts';
import { runIdSchema, threadIdSchema } from './ids.ts';
import { TITLE_MAX_CHARS } from './procedures.ts';
import { runStateSchema } from './stream-event.ts';

/** The type of the `delta` part that carries a change on a user's activity channel. */
export const THREAD_ACTIVITY_PART = 'data-thread-activity';

/** The title of a thread created without one; its first prompt then names it (`thread.onActivity` says `renamed`). */
export const DEFAULT_THREAD_TITLE = 'New thread';

const change = { threadId: threadIdSchema, ts: z.number().int().nonnegative() };

/**
 * One change to one of a user's threads, as `thread.onActivity` delivers it: `created`, `renamed` (by the user, or
 * from its first prompt), or `run` (a run of the thread was queued, started running, or ended `done`, `error` or
 * `cancelled`). `ts` is when it happened, in ms.
 */
export const threadActivitySchema = z.discriminatedUnion('kind', [
  z.object({ ...change, kind: z.literal('created'), title: z.string(), createdAt: z.number().int() }),
  z.object({ ...change, kind: z.literal('renamed'), title: z.string() }),
  z.object({
    ...change,
    kind: z.literal('run'),
    runId: runIdSchema,
    state: runStateSchema,
    reason: z.string().optional(),
  }),
]);
export type ThreadActivity = z.infer<typeof threadActivitySchema>;

/**
 * What `thread.onActivity` delivers: a thread's change, or `reset` when the activity since the client's last id is
 * no longer retained (the client reloads `thread.list`, then goes on).
 */
export const activityEventSchema = z.union([
  threadActivitySchema,
  z.object({ kind: z.literal('reset'), reason: z.string(), ts: z.number().int().nonnegative() }),
]);
export type ActivityEvent = z.infer<typeof activityEventSchema>;

/** `lastEventId` resumes after that change (tRPC fills it in on reconnect); without it, from now on. */
export const onActivityInput = z.object({ lastEventId: eventIdSchema.nullish() });
export type OnActivityInput = z.infer<typeof onActivityInput>;

export const renameThreadInput = z.object({
  threadId: threadIdSchema,
  title: z
    .string()
    .trim()
    .min(1, 'title is required')
    .max(TITLE_MAX_CHARS, `title is at most ${TITLE_MAX_CHARS} characters`),
});
export type RenameThreadInput = z.infer<typeof renameThreadInput>;

const TITLE_FROM_PROMPT_CHARS = 60;

/** A thread's title from its first prompt: the prompt's words on one line, cut at a word before 60 characters. */
export function titleFromPrompt(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_FROM_PROMPT_CHARS) return line;
  const cut = line.slice(0, TITLE_FROM_PROMPT_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_FROM_PROMPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
