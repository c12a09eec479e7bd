import { authRouter } from './routers/auth.ts';
import { runRouter } from './routers/run.ts';
import { threadRouter } from './routers/thread.ts';
import { createConfiguredRouter, createTRPCRouter, type StreamOptions } from './trpc.ts';

/** Every router of the app, by name: `appRouter` composes them (a host may mount them under a root of its own). */
export const appProcedures = {
  auth: authRouter,
  thread: threadRouter,
  run: runRouter,
};

export const appRouter = createTRPCRouter(appProcedures);
export type AppRouter = typeof appRouter;

/** The app router with the host's stream settings (heartbeat, longest duration, transformer). */
export function createAppRouter(options: StreamOptions): AppRouter {
  return createConfiguredRouter(appProcedures, options);
}
