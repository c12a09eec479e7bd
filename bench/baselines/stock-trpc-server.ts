/**
 * STOCK tRPC BASELINE — benchmark only, never used by the product.
 *
 * threadcast's own procedures (the same auth, stream rules and event bus on the same Redis) served the way tRPC
 * documents it: its standalone adapter and its own SSE pipeline (web streams, an async iterator per stream, a
 * ping timer per stream), instead of threadcast's SSE writer. What the writer saves is this baseline's cost
 * minus ours.
 *
 * Env: REDIS_URL and AUTH_SECRET (required), PORT (default 0), SSE_HEARTBEAT_MS (default 15000).
 * Prints `stock tRPC baseline listening at http://127.0.0.1:<port>` once it accepts connections.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appProcedures, type Context, createContextFactory, TokenService } from '@threadcast/api';
import { backendConfigFromEnv, backendEnvShape, openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { z } from 'zod';

const env = z
  .object({
    ...backendEnvShape,
    REDIS_URL: z.string().min(1, 'REDIS_URL is required'),
    AUTH_SECRET: z.string().min(32, 'AUTH_SECRET of at least 32 characters is required'),
    PORT: z.coerce.number().int().min(0).default(0),
    SSE_HEARTBEAT_MS: z.coerce.number().int().positive().default(15_000),
  })
  .parse(process.env);

const t = initTRPC.context<Context>().create({
  isDev: false,
  sse: {
    ping: { enabled: true, intervalMs: env.SSE_HEARTBEAT_MS },
    client: { reconnectAfterInactivityMs: Math.round(env.SSE_HEARTBEAT_MS * 2.5) },
  },
});
const router = t.router(appProcedures);

const backend = openBackend({ ...backendConfigFromEnv(env), logger: silentLogger });
const createContext = createContextFactory({
  ...backend,
  tokens: new TokenService({ secret: env.AUTH_SECRET }),
  devLoginEnabled: true,
  logger: silentLogger,
  limits: { streamsPerUser: 100_000, streamsPerServer: 100_000 },
});
const handler = createHTTPHandler({ router, basePath: '/trpc/', createContext });

const server = createServer((req, res) => {
  if (req.url === '/readyz') {
    const readiness = backend.readiness();
    res.writeHead(readiness.ready ? 200 : 503).end();
    return;
  }
  handler(req, res);
});
server.listen(env.PORT, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`stock tRPC baseline listening at http://127.0.0.1:${port}\n`);
});
