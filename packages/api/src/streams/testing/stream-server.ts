import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openBackend } from '@threadcast/backend';
import { type Logger, silentLogger } from '@threadcast/common';
import type { AnyTRPCRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { TokenService } from '../../auth/token-service.ts';
import { type ApiLimits, createContextFactory } from '../../index.ts';
import type { StreamMetrics } from '../observed-stream.ts';
import { SseWriter } from '../sse-writer.ts';
import { StreamGate } from '../stream-gate.ts';

export interface StreamServer extends AsyncDisposable {
  url: string;
  gate: StreamGate;
  /** A token of user `name`, valid for `ttlSeconds` (default an hour). */
  token(name: string, ttlSeconds?: number): Promise<string>;
}

/**
 * `router` served as a threadcast host serves it: every SSE request by the SSE writer, the rest by tRPC's
 * standalone handler, on the memory engine, on a free loopback port.
 */
export async function startStreamServer(
  router: AnyTRPCRouter,
  options: { logger?: Logger; metrics?: StreamMetrics; limits?: Partial<ApiLimits> } = {},
): Promise<StreamServer> {
  const backend = openBackend({});
  const tokens = new TokenService({ secret: 'stream-server-test-secret-long-enough-for-hs256' });
  const gate = new StreamGate();
  const logger = options.logger ?? silentLogger;
  const createContext = createContextFactory({
    ...backend,
    tokens,
    devLoginEnabled: false,
    logger,
    gate,
    metrics: options.metrics,
    limits: options.limits,
  });
  const writer = new SseWriter({ router, basePath: '/trpc/', createContext, logger });
  const handler = createHTTPHandler({ router, basePath: '/trpc/', createContext });
  const server = createServer((req, res) => {
    if (writer.handles(req)) void writer.serve(req, res);
    else handler(req, res);
  });
  server.on('close', () => writer.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gate,
    async token(name, ttlSeconds) {
      return (await tokens.issue({ id: name, name }, ttlSeconds === undefined ? {} : { ttlSeconds })).token;
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await backend.close();
    },
  };
}
