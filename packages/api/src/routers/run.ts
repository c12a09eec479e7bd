import { cancelRunOutput, runRefInput, runSchema, startRunInput, startRunOutput } from '@threadcast/contract';
import { endRun, isEnded, newId, type RunRecord } from '@threadcast/store';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import type { Context } from '../context.ts';
import { requireOwnThread } from '../thread-access.ts';
import { protectedProcedure } from '../trpc.ts';

/** The run if the user owns its thread; another user's run answers exactly like a missing one. */
async function requireOwnRun(ctx: Context & { user: { id: string } }, runId: string): Promise<RunRecord> {
  const run = await ctx.runs.get(runId);
  if (!run || run.ownerId !== ctx.user.id)
    throw new TRPCError({ code: 'NOT_FOUND', message: `run ${runId} not found` });
  return run;
}

function publicRun({ runId, threadId, prompt, state, createdAt, updatedAt, reason, text }: RunRecord) {
  return { runId, threadId, prompt, state, createdAt, updatedAt, reason, text };
}

export const runRouter = {
  /** Records a run on the user's thread, announces it with a `status` `queued` event, and queues it. */
  start: protectedProcedure
    .input(startRunInput)
    .output(startRunOutput)
    .mutation(async ({ ctx, input }) => {
      await requireOwnThread(ctx, input.threadId);
      const runId = newId();
      const job = { runId, threadId: input.threadId, ownerId: ctx.user.id, prompt: input.prompt };
      await ctx.runs.create(job);
      await ctx.bus.publish({
        type: 'status',
        threadId: input.threadId,
        runId,
        ts: Date.now(),
        content: { state: 'queued', runId },
      });
      await ctx.queue.enqueue({ ...job, enqueuedAt: Date.now() });
      return { runId };
    }),

  get: protectedProcedure
    .input(runRefInput)
    .output(runSchema)
    .query(async ({ ctx, input }) => publicRun(await requireOwnRun(ctx, input.runId))),

  /**
   * Ends the run `cancelled` if it has not ended yet, and publishes that end on its thread. The worker
   * holding it has its next token refused by the bus and stops generating there.
   */
  cancel: protectedProcedure
    .input(runRefInput)
    .output(cancelRunOutput)
    .mutation(async ({ ctx, input }) => {
      const run = await requireOwnRun(ctx, input.runId);
      if (isEnded(run.state)) return { runId: run.runId, state: run.state };
      const cancelled = await endRun(ctx, run, 'cancelled', { reason: 'cancelled by the user' });
      const final = cancelled ?? (await ctx.runs.get(run.runId)) ?? run;
      return { runId: final.runId, state: final.state };
    }),
} satisfies TRPCRouterRecord;
