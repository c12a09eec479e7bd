import type { EventBus } from '@threadcast/bus';
import {
  createThreadInput,
  createThreadOutput,
  type EventPosition,
  listThreadsOutput,
  onEventInput,
  parseEventId,
  threadDetailSchema,
  threadRefInput,
} from '@threadcast/contract';
import type { TRPCRouterRecord } from '@trpc/server';
import { ObservedStream } from '../observed-stream.ts';
import { latestRunStart } from '../resume-point.ts';
import { requireOwnThread } from '../thread-access.ts';
import { threadDetail } from '../thread-detail.ts';
import { interruptedStream, ThreadEventStream } from '../thread-event-stream.ts';
import { protectedProcedure } from '../trpc.ts';

export const threadRouter = {
  create: protectedProcedure
    .input(createThreadInput)
    .output(createThreadOutput)
    .mutation(async ({ ctx, input }) => {
      const thread = await ctx.services.threads.create({ ownerId: ctx.user.id, title: input.title || 'New thread' });
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

  /**
   * The thread's events as they happen, each with its SSE id. Resumes after `lastEventId`; without one,
   * starts at the latest run. Ends, releasing its bus subscription and its stream slot, when the client
   * goes away, and with UNAUTHORIZED when the token expires (the client refreshes and resumes). While the
   * host's gate is closed (draining, backend down) it is refused, or ended, with SERVICE_UNAVAILABLE.
   * The stream it returns can be iterated (tRPC's SSE pipeline) or pushed to an SSE writer (`attach`).
   */
  onEvent: protectedProcedure.input(onEventInput).subscription(async ({ ctx, input, signal }) => {
    // Refused at once while the host drains or its backend is down; given back however the stream ends.
    const pass = ctx.services.gate.admit();
    let release: (() => void) | null = null;
    let after: EventPosition | null;
    try {
      await requireOwnThread(ctx, input.threadId);
      release = ctx.services.streams.open(ctx.user.id);
      after = await startingPoint(ctx.services.bus, input);
    } catch (error) {
      release?.();
      pass.release();
      throw error;
    }
    const observed = new ObservedStream(
      { logger: ctx.services.logger, metrics: ctx.services.metrics, expiresAt: ctx.session.expiresAt },
      { streamId: ctx.requestId, threadId: input.threadId, userId: ctx.user.id, resumeFrom: input.lastEventId ?? null },
    );
    return new ThreadEventStream({
      bus: ctx.services.bus,
      threadId: input.threadId,
      after,
      pass,
      release,
      observed,
      expiresAt: ctx.session.expiresAt,
      signal,
    });
  }),
} satisfies TRPCRouterRecord;

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
