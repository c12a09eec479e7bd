import {
  initTRPC,
  type TRPCDefaultErrorShape,
  TRPCError,
  type TRPCErrorFormatter,
  type TRPCRouterRecord,
} from '@trpc/server';
import type { Context } from './context.ts';
import { tooLarge } from './limits.ts';

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

/** A message for the errors tRPC raises without one (then the message is just the code). */
const BARE_CODE_MESSAGES: Partial<Record<TRPCError['code'], string>> = {
  // Raised by tRPC's adapter when a body sent without Content-Length outgrows the host's limit.
  PAYLOAD_TOO_LARGE: 'request body is larger than the server accepts (BODY_MAX_BYTES)',
};

/**
 * What a client sees of an error: never a stack, and no internal detail. An INTERNAL_SERVER_ERROR's
 * message comes from whatever threw (a driver, a bug), so it is replaced; the host logs the original.
 * Other codes carry messages written for the client (a BAD_REQUEST describes the input), kept as they are.
 */
const formatError: TRPCErrorFormatter<Context, TRPCDefaultErrorShape> = ({ shape, error }) => {
  const { stack, ...data } = shape.data;
  let message = shape.message;
  if (error.code === 'INTERNAL_SERVER_ERROR') message = 'internal server error';
  else if (error.message === error.code) message = BARE_CODE_MESSAGES[error.code] ?? message;
  return { ...shape, message, data };
};

function createRoot(options: StreamOptions) {
  // isDev would put `data.stack` in every error, SSE `serialized-error` events included.
  return initTRPC.context<Context>().create({ sse: sseConfig(options), isDev: false, errorFormatter: formatError });
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

/** Refuses any input larger than the INPUT_MAX_BYTES limit before it is parsed further. */
const limitInputSize = t.middleware(async function limitInputSize({ ctx, getRawInput, next }) {
  const raw = await getRawInput();
  const size = raw === undefined ? 0 : Buffer.byteLength(JSON.stringify(raw) ?? '');
  if (size > ctx.services.limits.inputMaxBytes) {
    throw tooLarge('the input', size, 'bytes', 'INPUT_MAX_BYTES', ctx.services.limits.inputMaxBytes);
  }
  return next();
});

export const publicProcedure = t.procedure.use(limitInputSize);

export const isAuthed = t.middleware(function isAuthed({ ctx, next }) {
  if (ctx.authUnavailable) {
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the token could not be checked right now: retry' });
  }
  if (!ctx.session) {
    const reason = ctx.authFailure ?? 'a token is required';
    throw new TRPCError({ code: 'UNAUTHORIZED', message: `${reason}: sign in again` });
  }
  // tRPC merges these into a copy of the context: only the new keys are passed.
  return next({ ctx: { session: ctx.session, user: ctx.session.user } });
});

export const protectedProcedure = publicProcedure.use(isAuthed);
