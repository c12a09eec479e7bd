/**
 * SEED BASELINE — benchmark only, never used by the product.
 *
 * The seed's design, rebuilt for comparison: a tRPC standalone server whose `thread.onEvent` subscription
 * opens its OWN ioredis subscriber connection per stream on `thread:<threadId>` (raw pub/sub: no shared
 * hub, no history, no resume), yields each publication as `tracked(id, event)`, and closes that
 * connection when the client goes away. No auth (the seed had none worth measuring): any client may
 * stream any thread. Same URL shape and SSE wire format as threadcast.
 *
 * Env: REDIS_URL (required), PORT (default 0), SSE_HEARTBEAT_MS (default 15000).
 * Prints `seed baseline listening at http://127.0.0.1:<port>` once it accepts connections.
 */

import { on } from 'node:events';
import { createServer } from 'node:http';
import { threadChannel } from '@threadcast/bus/redis-names';
import { initTRPC, tracked } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { Redis } from 'ioredis';
import { z } from 'zod';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is required');
const heartbeatMs = Number(process.env.SSE_HEARTBEAT_MS ?? 15_000);

const t = initTRPC.create({ sse: { ping: { enabled: true, intervalMs: heartbeatMs } } });

interface Publication {
  id: string;
  event: unknown;
}

const threadRouter = t.router({
  onEvent: t.procedure
    .input(z.object({ threadId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }))
    .subscription(async function* ({ input, signal }) {
      // The seed's cost model: one Redis connection per open stream. No retries: a lost connection ends it.
      const redis = new Redis(redisUrl, { connectionName: 'bench-seed', retryStrategy: () => null });
      redis.on('error', () => {});
      try {
        const messages = on(redis, 'message', { signal });
        await redis.subscribe(threadChannel(input.threadId));
        for await (const [, message] of messages as AsyncIterable<[string, string]>) {
          const { id, event } = JSON.parse(message) as Publication;
          yield tracked(id, event);
        }
      } catch (error) {
        if (!signal?.aborted) throw error;
      } finally {
        redis.disconnect();
      }
    }),
});

const appRouter = t.router({ thread: threadRouter });

const handler = createHTTPHandler({ router: appRouter, basePath: '/trpc/' });
const server = createServer((req, res) => {
  if (req.url?.startsWith('/trpc/')) handler(req, res);
  else res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`seed baseline listening at http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
