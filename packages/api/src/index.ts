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
export { type AppRouter, appProcedures, appRouter, createAppRouter } from './root.ts';
export * from './streams/index.ts';
export {
  createConfiguredRouter,
  createTRPCRouter,
  protectedProcedure,
  publicProcedure,
  streamProcedure,
} from './trpc.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
