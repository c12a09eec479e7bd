import { devLoginInput, devLoginOutput, sessionOutput } from '@threadcast/contract';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { clearedSessionCookie, sessionCookie } from '../auth/session-cookie.ts';
import { protectedProcedure, publicProcedure } from '../trpc.ts';

/** Says how to sign in instead: whoever meets it (a user, an operator trying a new deployment) is otherwise stuck. */
const DEV_LOGIN_DISABLED =
  'dev login is disabled on this server (AUTH_SECRET or AUTH_JWKS_URL is set): sign in with a token from your ' +
  'identity provider or `pnpm mint-token <userId>`, sent as Authorization: Bearer (auth.startSession makes it a ' +
  'browser session), or set AUTH_DEV_LOGIN=1 on the server';

export const authRouter = {
  /**
   * Development only: signs in as `name` without a password. Returns the token (for scripts and tests) and
   * also sets the session cookie, so a browser is signed in without its scripts ever keeping the token.
   */
  devLogin: publicProcedure
    .input(devLoginInput)
    .output(devLoginOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.services.devLoginEnabled) {
        throw new TRPCError({ code: 'FORBIDDEN', message: DEV_LOGIN_DISABLED });
      }
      const user = { id: input.name.toLowerCase(), name: input.name };
      const { token, expiresAt } = await ctx.services.tokens.issue(user);
      ctx.setCookie(sessionCookie(token, expiresAt, ctx.secure));
      return { token, userId: user.id, expiresAt };
    }),

  /**
   * Turns a bearer token (from your identity provider, or `pnpm mint-token`) into the browser's HttpOnly
   * session cookie, which then carries every request and stream. Call it again with a fresh token to extend.
   */
  startSession: protectedProcedure.output(sessionOutput).mutation(({ ctx }) => {
    if (ctx.session.via !== 'bearer') {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'send the token as Authorization: Bearer to start a session',
      });
    }
    const { token, expiresAt, user } = ctx.session;
    ctx.setCookie(sessionCookie(token, expiresAt, ctx.secure));
    return { userId: user.id, name: user.name, expiresAt };
  }),

  /** Signs the browser out: clears the session cookie. */
  endSession: publicProcedure.mutation(({ ctx }) => {
    ctx.setCookie(clearedSessionCookie(ctx.secure));
    return { ended: true };
  }),

  /** The current session's user and expiry. */
  session: protectedProcedure
    .output(sessionOutput)
    .query(({ ctx }) => ({ userId: ctx.user.id, name: ctx.user.name, expiresAt: ctx.session.expiresAt })),
} satisfies TRPCRouterRecord;
