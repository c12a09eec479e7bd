import { startRunInput, startRunOutput } from '@threadcast/contract';
import { newId } from '@threadcast/store';
import type { TRPCRouterRecord } from '@trpc/server';
import { requireOwnThread } from '../thread-access.ts';
import { protectedProcedure } from '../trpc.ts';

export const runRouter = {
  /** Queues a run on the user's thread and announces it with a `status` `queued` event. */
  start: protectedProcedure
    .input(startRunInput)
    .output(startRunOutput)
    .mutation(async ({ ctx, input }) => {
      await requireOwnThread(ctx, input.threadId);
      const runId = newId();
      const now = Date.now();
      await ctx.bus.publish({
        type: 'status',
        threadId: input.threadId,
        runId,
        ts: now,
        content: { state: 'queued', runId },
      });
      await ctx.runs.enqueue({
        runId,
        threadId: input.threadId,
        ownerId: ctx.user.id,
        prompt: input.prompt,
        enqueuedAt: now,
      });
      return { runId };
    }),
} satisfies TRPCRouterRecord;
