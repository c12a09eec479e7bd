import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { SESSION_COOKIE } from './auth/session-cookie.ts';
export {
  type TokenRejection,
  TokenService,
  type TokenServiceConfig,
  type TokenVerification,
  type User,
} from './auth/token-service.ts';
export {
  type ApiDeps,
  type ApiServices,
  type Context,
  type ContextRequest,
  createContextFactory,
  type Session,
} from './context.ts';
export { type ApiLimits, DEFAULT_LIMITS } from './limits.ts';
export { noStreamMetrics, type StreamCloseReason, type StreamMetrics } from './observed-stream.ts';
export { type AppRouter, appRouter, createAppRouter } from './root.ts';
export { StreamGate, type StreamPass, streamUnavailable } from './stream-gate.ts';
export { ThreadEventStream } from './thread-event-stream.ts';
export { DEFAULT_STREAM_OPTIONS, type StreamOptions } from './trpc.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
