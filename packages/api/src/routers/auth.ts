import { devLoginInput, devLoginOutput } from '@threadcast/contract';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { publicProcedure } from '../trpc.ts';

export const authRouter = {
  devLogin: publicProcedure
    .input(devLoginInput)
    .output(devLoginOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.devLoginEnabled) {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'dev login is disabled on this server' });
      }
      const user = { id: input.name.toLowerCase(), name: input.name };
      return { token: await ctx.tokens.issue(user), userId: user.id };
    }),
} satisfies TRPCRouterRecord;
