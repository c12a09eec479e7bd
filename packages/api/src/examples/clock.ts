import { setTimeout as sleep } from 'node:timers/promises';
import { TRPCError, type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { streamProcedure } from '../trpc.ts';

/** A clock: one tick every `everyMs`, numbered, resumable from the last tick's id. */
export const clockRouter = {
  onTick: streamProcedure
    .input(z.object({ everyMs: z.number().int().min(50).max(60_000), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ input, signal }) {
      // tRPC's client sends the last id it received when it reconnects: carry on after that tick.
      if (input.lastEventId && !/^\d{1,15}$/.test(input.lastEventId)) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'lastEventId must be the id of a tick (digits only)' });
      }
      let tick = input.lastEventId ? Number(input.lastEventId) + 1 : 0;
      while (!signal?.aborted) {
        try {
          await sleep(input.everyMs, undefined, { signal });
        } catch (error) {
          if (signal?.aborted) return; // The client left: end quietly.
          throw error;
        }
        yield tracked(String(tick), { tick, at: Date.now() });
        tick += 1;
      }
    }),
} satisfies TRPCRouterRecord;
