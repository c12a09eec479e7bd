import { initTRPC, TRPCError, type TRPCRouterRecord } from '@trpc/server';
import type { Context } from './context.ts';

export interface StreamOptions {
  /** Milliseconds between SSE heartbeats; the client reconnects after about two missed ones. */
  heartbeatMs: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = { heartbeatMs: 15_000 };

function sseConfig({ heartbeatMs }: StreamOptions) {
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 1) {
    throw new RangeError(`heartbeatMs must be a positive integer, got ${heartbeatMs}`);
  }
  return {
    ping: { enabled: true, intervalMs: heartbeatMs },
    client: { reconnectAfterInactivityMs: Math.round(heartbeatMs * 2.5) },
  };
}

function createRoot(options: StreamOptions) {
  return initTRPC.context<Context>().create({ sse: sseConfig(options) });
}

const t = createRoot(DEFAULT_STREAM_OPTIONS);

export const createTRPCRouter = t.router;

/**
 * The same procedures under a root configured with `options`. tRPC reads SSE settings from the root
 * router, so the host's heartbeat setting is applied here rather than at module load.
 */
export function createConfiguredRouter<TRecord extends TRPCRouterRecord>(record: TRecord, options: StreamOptions) {
  return createRoot(options).router(record);
}

export const publicProcedure = t.procedure;

export const isAuthed = t.middleware(function isAuthed({ ctx, next }) {
  if (!ctx.user) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a valid token is required: sign in again' });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const protectedProcedure = t.procedure.use(isAuthed);
