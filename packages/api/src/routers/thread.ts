import { SlowConsumerError } from '@threadcast/bus';
import {
  createThreadInput,
  createThreadOutput,
  listThreadsOutput,
  onEventInput,
  parseEventId,
  threadDetailSchema,
  threadRefInput,
} from '@threadcast/contract';
import { TRPCError, type TRPCRouterRecord, tracked } from '@trpc/server';
import { latestRunStart } from '../resume-point.ts';
import { requireOwnThread } from '../thread-access.ts';
import { threadDetail } from '../thread-detail.ts';
import { protectedProcedure } from '../trpc.ts';

export const threadRouter = {
  create: protectedProcedure
    .input(createThreadInput)
    .output(createThreadOutput)
    .mutation(async ({ ctx, input }) => {
      const thread = await ctx.threads.create({ ownerId: ctx.user.id, title: input.title || 'New thread' });
      return { threadId: thread.threadId };
    }),

  get: protectedProcedure
    .input(threadRefInput)
    .output(threadDetailSchema)
    .query(async ({ ctx, input }) => threadDetail(ctx, await requireOwnThread(ctx, input.threadId))),

  list: protectedProcedure.output(listThreadsOutput).query(async ({ ctx }) => {
    const threads = await ctx.threads.listByOwner(ctx.user.id);
    return threads.map(({ threadId, title, createdAt }) => ({ threadId, title, createdAt }));
  }),

  /**
   * The thread's events as they happen, each with its SSE id. Resumes after `lastEventId`; without one,
   * starts at the latest run. Ends, releasing its bus subscription, when the client goes away.
   */
  onEvent: protectedProcedure.input(onEventInput).subscription(async function* ({ ctx, input, signal }) {
    await requireOwnThread(ctx, input.threadId);
    const after = input.lastEventId ? parseEventId(input.lastEventId) : await latestRunStart(ctx.bus, input.threadId);
    const stop = signal ?? new AbortController().signal;
    try {
      for await (const stored of ctx.bus.subscribe(input.threadId, { after, signal: stop })) {
        yield tracked(stored.id, stored.event);
      }
    } catch (error) {
      throw interruptedStream(error);
    }
  }),
} satisfies TRPCRouterRecord;

/**
 * A stream that broke after it started (the client fell behind, the bus became unreachable) ends with a
 * retryable code: tRPC clients treat it as a reason to reconnect, and they resume from their last id.
 */
function interruptedStream(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const message =
    error instanceof SlowConsumerError
      ? error.message
      : 'the event stream was interrupted; reconnect and resume from the last event id';
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause: error });
}
