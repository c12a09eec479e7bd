import { authRouter } from './routers/auth.ts';
import { runRouter } from './routers/run.ts';
import { threadRouter } from './routers/thread.ts';
import { createConfiguredRouter, createTRPCRouter, type StreamOptions } from './trpc.ts';

const procedures = {
  auth: authRouter,
  thread: threadRouter,
  run: runRouter,
};

export const appRouter = createTRPCRouter(procedures);
export type AppRouter = typeof appRouter;

/** The app router with the host's stream settings (heartbeat). */
export function createAppRouter(options: StreamOptions): AppRouter {
  return createConfiguredRouter(procedures, options);
}
