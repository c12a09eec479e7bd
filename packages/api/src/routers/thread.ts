import type { EventBus, SubscriptionObserver } from '@threadcast/bus';
import {
  createThreadInput,
  createThreadOutput,
  DEFAULT_THREAD_TITLE,
  type EventPosition,
  listThreadsOutput,
  onActivityInput,
  onEventInput,
  parseEventId,
  renameThreadInput,
  type StreamEvent,
  type ThreadId,
  threadDetailSchema,
  threadRefInput,
  threadSchema,
} from '@threadcast/contract';
import { activityChannel } from '@threadcast/store';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { latestRunStart } from '../resume-point.ts';
import { type PushStream, pushStream } from '../streams/push-stream.ts';
import { interruptedStream } from '../streams/stream-ending.ts';
import { requireOwnThread } from '../thread-access.ts';
import { followActivity, newestPosition } from '../thread-activity.ts';
import { threadDetail } from '../thread-detail.ts';
import { protectedProcedure, streamProcedure } from '../trpc.ts';

export const threadRouter = {
  create: protectedProcedure
    .input(createThreadInput)
    .output(createThreadOutput)
    .mutation(async ({ ctx, input }) => {
      const thread = await ctx.services.threads.create({
        ownerId: ctx.user.id,
        title: input.title || DEFAULT_THREAD_TITLE,
      });
      return { threadId: thread.threadId };
    }),

  get: protectedProcedure
    .input(threadRefInput)
    .output(threadDetailSchema)
    .query(async ({ ctx, input }) => threadDetail(ctx.services, await requireOwnThread(ctx, input.threadId))),

  list: protectedProcedure.output(listThreadsOutput).query(async ({ ctx }) => {
    const threads = await ctx.services.threads.listByOwner(ctx.user.id);
    return threads.map(({ threadId, title, createdAt }) => ({ threadId, title, createdAt }));
  }),

  /** Gives one of the user's threads a new title; its lists hear `renamed` (`onActivity`). */
  rename: protectedProcedure
    .input(renameThreadInput)
    .output(threadSchema)
    .mutation(async ({ ctx, input }) => {
      await requireOwnThread(ctx, input.threadId);
      const renamed = await ctx.services.threads.rename(input.threadId, input.title);
      if (!renamed) throw new TRPCError({ code: 'NOT_FOUND', message: `thread ${input.threadId} not found` });
      return { threadId: renamed.threadId, title: renamed.title, createdAt: renamed.createdAt };
    }),

  /**
   * The signed-in user's threads as they change, across tabs, devices and servers: created, renamed, a run queued,
   * running, done, failed, cancelled. Resumes after `lastEventId`; without one, from now on (load `thread.list`
   * once the stream has started). Only the user's own threads: the channel is derived from who is signed in.
   */
  onActivity: streamProcedure.input(onActivityInput).subscription(async ({ ctx, input }) => {
    const channel = activityChannel(ctx.user.id);
    const after = input.lastEventId ? parseEventId(input.lastEventId) : await newestPosition(ctx.services.bus, channel);
    ctx.stream.describe({ resumeFrom: input.lastEventId ?? null });
    return followActivity(ctx.services.bus, channel, after, ctx.stream);
  }),

  /**
   * The thread's events as they happen, each with its SSE id. Resumes after `lastEventId`; without one,
   * starts at the latest run. The stream rules (admission and drain, slots, token expiry, logs and metrics)
   * are `streamProcedure`'s.
   */
  onEvent: streamProcedure.input(onEventInput).subscription(async ({ ctx, input }) => {
    await requireOwnThread(ctx, input.threadId);
    const after = await startingPoint(ctx.services.bus, input);
    ctx.stream.describe({ threadId: input.threadId, resumeFrom: input.lastEventId ?? null });
    return followThread(ctx.services.bus, input.threadId, after, ctx.stream);
  }),
} satisfies TRPCRouterRecord;

/** A thread's events from the bus, pushed: the closure holds just these four values for the stream's life. */
function followThread(
  bus: EventBus,
  threadId: ThreadId,
  after: EventPosition | null,
  observer: SubscriptionObserver,
): PushStream<StreamEvent> {
  return pushStream((sink) => bus.follow(threadId, { after, observer }, sink));
}

/** Where a stream starts: after the client's last event id, or else at the thread's latest run. */
async function startingPoint(
  bus: EventBus,
  input: { threadId: string; lastEventId?: string | null | undefined },
): Promise<EventPosition | null> {
  if (input.lastEventId) return parseEventId(input.lastEventId);
  try {
    return await latestRunStart(bus, input.threadId);
  } catch (error) {
    throw interruptedStream(error);
  }
}
