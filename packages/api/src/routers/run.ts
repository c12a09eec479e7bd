import {
  approveToolInput,
  approveToolOutput,
  cancelRunOutput,
  DEFAULT_THREAD_TITLE,
  runRefInput,
  runSchema,
  startRunInput,
  startRunOutput,
  titleFromPrompt,
} from '@threadcast/contract';
import { endRun, isEnded, newId, type RunRecord } from '@threadcast/store';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import type { Context } from '../context.ts';
import { tooLarge } from '../limits.ts';
import { requireOwnThread } from '../thread-access.ts';
import { protectedProcedure } from '../trpc.ts';

/** The run if the user owns its thread; another user's run answers exactly like a missing one. */
async function requireOwnRun(ctx: Context & { user: { id: string } }, runId: string): Promise<RunRecord> {
  const run = await ctx.services.runs.get(runId);
  if (!run || run.ownerId !== ctx.user.id)
    throw new TRPCError({ code: 'NOT_FOUND', message: `run ${runId} not found` });
  return run;
}

function publicRun({ runId, threadId, prompt, state, createdAt, updatedAt, reason, text }: RunRecord) {
  return { runId, threadId, prompt, state, createdAt, updatedAt, reason, text };
}

export const runRouter = {
  /**
   * Records a run on the user's thread, announces it with a `status` `queued` event, and queues it. The first run
   * of a thread still called `New thread` names it after its prompt.
   */
  start: protectedProcedure
    .input(startRunInput)
    .output(startRunOutput)
    .mutation(async ({ ctx, input }) => {
      const { promptMaxChars, runStartsPerMinute } = ctx.services.limits;
      if (input.prompt.length > promptMaxChars) {
        throw tooLarge('the prompt', input.prompt.length, 'characters', 'PROMPT_MAX_CHARS', promptMaxChars);
      }
      const thread = await requireOwnThread(ctx, input.threadId);
      const rate = await ctx.services.limiter.attempt(`run.start:${ctx.user.id}`, runStartsPerMinute, 60_000);
      if (!rate.allowed) {
        throw new TRPCError({
          code: 'TOO_MANY_REQUESTS',
          message: `too many runs started: the limit (RUN_STARTS_PER_MINUTE) is ${runStartsPerMinute} a minute; retry in ${Math.ceil(rate.retryAfterMs / 1000)} s`,
        });
      }
      const runId = newId();
      const job = { runId, threadId: input.threadId, ownerId: ctx.user.id, prompt: input.prompt };
      // A thread created without a title is named by its first prompt.
      const unnamed =
        thread.title === DEFAULT_THREAD_TITLE &&
        (await ctx.services.runs.listByThread(input.threadId, { limit: 1 })).length === 0;
      await ctx.services.runs.create(job);
      if (unnamed) await ctx.services.threads.rename(input.threadId, titleFromPrompt(input.prompt));
      await ctx.services.bus.publish({
        type: 'status',
        threadId: input.threadId,
        runId,
        ts: Date.now(),
        content: { state: 'queued', runId },
      });
      await ctx.services.queue.enqueue({ ...job, enqueuedAt: Date.now() });
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
      const cancelled = await endRun(ctx.services, run, 'cancelled', { reason: 'cancelled by the user' });
      const final = cancelled ?? (await ctx.services.runs.get(run.runId)) ?? run;
      return { runId: final.runId, state: final.state };
    }),

  /**
   * The owner's answer to a tool call that waits for approval: the run is queued again with the answer and a
   * worker goes on with it (runs the tool, or tells the model it was denied). One answer per pause wins; a
   * second one, from another tab, is refused with CONFLICT.
   */
  approveTool: protectedProcedure
    .input(approveToolInput)
    .output(approveToolOutput)
    .mutation(async ({ ctx, input }) => {
      const run = await requireOwnRun(ctx, input.runId);
      if (run.state !== 'waiting') {
        throw new TRPCError({
          code: 'CONFLICT',
          message: `run ${run.runId} is ${run.state}, not waiting for an approval`,
        });
      }
      if (!run.awaiting?.includes(input.toolCallId)) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `run ${run.runId} does not await approval of tool call ${input.toolCallId}`,
        });
      }
      const decision = {
        toolCallId: input.toolCallId,
        approved: input.approved,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
      };
      const queued = await ctx.services.runs.transition(run.runId, 'queued', { decision });
      if (!queued) {
        const now = await ctx.services.runs.get(run.runId);
        throw new TRPCError({
          code: 'CONFLICT',
          message: `run ${run.runId} was answered or ended meanwhile: it is ${now?.state ?? 'gone'}`,
        });
      }
      const { runId, threadId, ownerId, prompt } = run;
      await ctx.services.queue.enqueue({ runId, threadId, ownerId, prompt, enqueuedAt: Date.now() });
      return { runId, state: queued.state };
    }),
} satisfies TRPCRouterRecord;
