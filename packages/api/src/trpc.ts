import {
  initTRPC,
  type TRPCDefaultErrorShape,
  TRPCError,
  type TRPCErrorFormatter,
  type TRPCRouterRecord,
} from '@trpc/server';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import type { Context } from './context.ts';
import { tooLarge } from './limits.ts';
import { errorShaper } from './streams/error-shape.ts';
import { GuardedStream, type StreamHolds } from './streams/guarded-stream.ts';
import { ObservedStream, type StreamScope } from './streams/observed-stream.ts';
import { PushStream } from './streams/push-stream.ts';
import {
  checkStreamOptions,
  DEFAULT_STREAM_OPTIONS,
  registerStreamSettings,
  type StreamOptions,
  transformerOf,
} from './streams/stream-settings.ts';

/** A message for the errors tRPC raises without one (then the message is just the code). */
const BARE_CODE_MESSAGES: Partial<Record<TRPCError['code'], string>> = {
  // Raised by tRPC's adapter when a body sent without Content-Length outgrows the host's limit.
  PAYLOAD_TOO_LARGE: 'request body is larger than the server accepts (BODY_MAX_BYTES)',
};

/** tRPC's words for a subscription that reached its own handler, whose SSE pipeline is off: said plainly. */
const NOT_AN_SSE_REQUEST =
  'subscriptions are served as Server-Sent Events: request them with the header Accept: text/event-stream (EventSource and httpSubscriptionLink send it)';

/**
 * What a client sees of an error: never a stack, and no internal detail. An INTERNAL_SERVER_ERROR's
 * message comes from whatever threw (a driver, a bug), so it is replaced; the host logs the original.
 * Other codes carry messages written for the client (a BAD_REQUEST describes the input), kept as they are.
 */
const formatError: TRPCErrorFormatter<Context, TRPCDefaultErrorShape> = ({ shape, error }) => {
  const { stack, ...data } = shape.data;
  let message = shape.message;
  if (error.code === 'INTERNAL_SERVER_ERROR') message = 'internal server error';
  else if (error.code === 'METHOD_NOT_SUPPORTED' && error.message.includes('"sseSubscriptions"')) {
    message = NOT_AN_SSE_REQUEST;
  } else if (error.message === error.code) message = BARE_CODE_MESSAGES[error.code] ?? message;
  return { ...shape, message, data };
};

function createRoot(options: StreamOptions) {
  const checked = checkStreamOptions(options);
  const root = initTRPC.context<Context>().create({
    // Every subscription is written by the SSE writer (streams/sse-writer.ts); tRPC's own SSE pipeline stays off.
    sse: { enabled: false },
    // isDev would put `data.stack` in every error, SSE `serialized-error` events included.
    isDev: false,
    errorFormatter: formatError,
    ...(options.transformer === undefined ? {} : { transformer: options.transformer }),
  });
  const settings = { ...checked, ...transformerOf(options.transformer), shapeError: errorShaper(formatError) };
  const router: typeof root.router = (record) => {
    const built = root.router(record);
    registerStreamSettings(built, settings);
    return built;
  };
  return { ...root, router };
}

const t = createRoot(DEFAULT_STREAM_OPTIONS);

export const createTRPCRouter = t.router;

/**
 * The same procedures under a root configured with `options`: the host's heartbeat, longest stream duration
 * and transformer apply to every procedure, and the SSE writer takes them from the router it is given.
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

/**
 * The base of every subscription. A stream built on it is admitted by the gate (refused while the server drains
 * or its backend is down, and ended over the drain window), takes one of the user's and the server's stream
 * slots (STREAMS_PER_USER, STREAMS_PER_SERVER), ends with UNAUTHORIZED when the token expires, logs one line as
 * it opens and one as it closes, and is counted in the stream metrics under its path: all given back however
 * it ends. The procedure returns what tRPC documents (an async generator yielding `tracked(id, data)`, an
 * observable) or a `pushStream`; `ctx.stream` names what it follows for the log lines, and is the observer to
 * hand a bus subscription.
 */
export const streamProcedure = protectedProcedure.use(async function guardStream({ ctx, path, type, signal, next }) {
  if (type !== 'subscription') {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: `${path} is a ${type}: streamProcedure is for subscriptions`,
    });
  }
  const { services, user } = ctx;
  const pass = services.gate.admit();
  let releaseSlot: () => void;
  try {
    releaseSlot = services.streams.open(user.id);
  } catch (error) {
    pass.release();
    throw error;
  }
  const observed = new ObservedStream(services.logger, services.metrics.procedure(path), {
    streamId: ctx.requestId,
    procedure: path,
    userId: user.id,
  });
  const stream: StreamScope = observed;
  const result = await next({ ctx: { stream } });
  const holds: StreamHolds = { pass, releaseSlot, observed, expiresAt: ctx.session.expiresAt, signal };
  if (!result.ok) {
    releaseSlot();
    pass.release();
    return result;
  }
  return { ...result, data: guarded(result.data, holds, path) };
});

function guarded(data: unknown, holds: StreamHolds, path: string): GuardedStream {
  if (data instanceof PushStream || isAsyncIterable(data)) return new GuardedStream(data, holds);
  if (isObservable(data)) {
    return new GuardedStream(observableToAsyncIterable(data, holds.signal ?? new AbortController().signal), holds);
  }
  holds.releaseSlot();
  holds.pass.release();
  throw new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: `subscription ${path} returned neither an async iterable, an observable nor a push stream`,
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

export { DEFAULT_STREAM_OPTIONS, type StreamOptions };
