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
import { ObservedStream } from '../observed-stream.ts';
import { latestRunStart } from '../resume-point.ts';
import { streamUnavailable } from '../stream-gate.ts';
import { requireOwnThread } from '../thread-access.ts';
import { threadDetail } from '../thread-detail.ts';
import { protectedProcedure } from '../trpc.ts';

/** setTimeout's longest delay (about 24.8 days); a stream outliving it is ended then and resumes. */
const MAX_TIMER_MS = 2_147_483_647;

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
   * starts at the latest run. Ends, releasing its bus subscription and its stream slot, when the client
   * goes away, and with UNAUTHORIZED when the token expires (the client refreshes and resumes). While the
   * host's gate is closed (draining, backend down) it is refused, or ended, with SERVICE_UNAVAILABLE.
   */
  onEvent: protectedProcedure.input(onEventInput).subscription(async function* ({ ctx, input, signal }) {
    // Refused at once while the host drains or its backend is down; given back however the stream ends.
    using pass = ctx.gate.admit();
    await requireOwnThread(ctx, input.threadId);
    const release = ctx.streams.open(ctx.user.id);
    const observe = { logger: ctx.logger, metrics: ctx.metrics, expiresAt: ctx.session.expiresAt };
    const stream = new ObservedStream(observe, {
      streamId: ctx.requestId,
      threadId: input.threadId,
      userId: ctx.user.id,
      resumeFrom: input.lastEventId ?? null,
    });
    let failure: unknown;
    // The pass's signal is the stream's one stop signal: the gate, the client leaving and the expiry all abort it.
    signal?.addEventListener('abort', pass, { once: true });
    // The client may have left while the thread was being checked, before anyone listened.
    if (signal?.aborted) pass.stop();
    let timedOut = false;
    const expiry = setTimeout(
      () => {
        timedOut = true;
        pass.stop();
      },
      Math.min(Math.max(0, ctx.session.expiresAt - Date.now()), MAX_TIMER_MS),
    );
    try {
      const after = input.lastEventId ? parseEventId(input.lastEventId) : await latestRunStart(ctx.bus, input.threadId);
      for await (const stored of ctx.bus.subscribe(input.threadId, {
        after,
        signal: pass.signal,
        observer: stream,
        direct: ctx.eventSink && stream.deliveringTo(ctx.eventSink),
      })) {
        yield tracked(stored.id, stored.event);
        // Counted once the consumer asks for the next one: by then this one was written.
        stream.delivered(stored);
      }
    } catch (error) {
      failure = error;
      if (!timedOut) throw interruptedStream(error);
    } finally {
      clearTimeout(expiry);
      signal?.removeEventListener('abort', pass);
      release();
      stream.close({ timedOut, clientGone: signal?.aborted === true, failure });
    }
    // Ended by the gate: an error the client reconnects on (tRPC's `return` would stop it for good).
    if (pass.ended !== null) throw streamUnavailable(pass.ended);
    if (!timedOut) return;
    if (Date.now() >= ctx.session.expiresAt) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'the token expired: refresh it and resume from the last event id',
      });
    }
    throw interruptedStream(new Error('the stream reached the longest time a timer can wait'));
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
