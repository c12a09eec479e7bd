import { appProcedures, createConfiguredRouter, protectedProcedure } from '@threadcast/api';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';

/** Your own procedures: built on threadcast's base procedures, so `ctx.user` is the signed-in user. */
export const billingRouter = {
  plan: protectedProcedure
    .input(z.object({ seats: z.number().int().min(1) }))
    .query(({ input }) => ({ seats: input.seats, price: input.seats * 10 })),
} satisfies TRPCRouterRecord;

/** threadcast's procedures and yours in one router; serve it with threadcast's server in place of its own. */
export const hostRouter = createConfiguredRouter({ ...appProcedures, billing: billingRouter }, { heartbeatMs: 15_000 });
export type HostRouter = typeof hostRouter;
