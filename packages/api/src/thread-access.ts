import type { ThreadId } from '@threadcast/contract';
import type { ThreadRecord } from '@threadcast/store';
import { TRPCError } from '@trpc/server';
import type { Context } from './context.ts';

/** The thread if the user owns it. Another user's thread answers exactly like a missing one, so existence never leaks. */
export async function requireOwnThread(
  ctx: Context & { user: { id: string } },
  threadId: ThreadId,
): Promise<ThreadRecord> {
  const thread = await ctx.services.threads.get(threadId);
  if (!thread || thread.ownerId !== ctx.user.id) {
    throw new TRPCError({ code: 'NOT_FOUND', message: `thread ${threadId} not found` });
  }
  return thread;
}
