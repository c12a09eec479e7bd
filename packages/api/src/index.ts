import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';

export { TokenService, type TokenServiceConfig, type User } from './auth/token-service.ts';
export { type ApiDeps, type Context, type ContextRequest, createContextFactory } from './context.ts';
export { type AppRouter, appRouter, createAppRouter } from './root.ts';
export { DEFAULT_STREAM_OPTIONS, type StreamOptions } from './trpc.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
