import type { AddressInfo } from 'node:net';
import { type ApiLimits, createAppRouter, createContextFactory, StreamGate, TokenService } from '@threadcast/api';
import { type Backend, openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { createServerMetrics } from '@threadcast/observability';
import { DemoAgent, runWorker } from '@threadcast/runner';
import { createHttpServer, type HttpServerOptions } from './http-server.ts';

export interface TestServer extends AsyncDisposable {
  url: string;
  backend: Backend;
  tokens: TokenService;
  /** Admission of the server's streams: `endOpen` ends them as a drain would. */
  gate: StreamGate;
}

/**
 * The real HTTP server in this process, on a free port, with the memory engine, an embedded worker and its
 * own metrics registry (`/metrics`, labelled `instance_id`), so several can run side by side.
 */
export async function startTestServer(
  options: {
    heartbeatMs?: number;
    tokenDelayMs?: number;
    instanceId?: string;
    /** The API limits that differ from the defaults (STREAMS_PER_USER…). */
    apiLimits?: Partial<ApiLimits>;
  } & Pick<HttpServerOptions, 'webDist' | 'corsOrigins' | 'limits' | 'trustProxy'> &
    Partial<Pick<HttpServerOptions, 'router'>> = {},
): Promise<TestServer> {
  const backend = openBackend({});
  const tokens = new TokenService({ secret: 'test-secret-that-is-long-enough-for-hs256' });
  const metrics = createServerMetrics({ backend, instanceId: options.instanceId ?? 'test', logger: silentLogger });
  const gate = new StreamGate();
  const server = createHttpServer({
    router: options.router ?? createAppRouter({ heartbeatMs: options.heartbeatMs ?? 15_000 }),
    createContext: createContextFactory({
      ...backend,
      tokens,
      devLoginEnabled: true,
      logger: silentLogger,
      metrics: metrics.streams,
      limits: options.apiLimits,
      gate,
    }),
    webDist: options.webDist,
    corsOrigins: options.corsOrigins,
    limits: options.limits,
    trustProxy: options.trustProxy,
    logger: silentLogger,
    metrics: metrics.endpoint,
  });
  const stop = new AbortController();
  const worker = runWorker({
    ...backend,
    agent: new DemoAgent({ tokenDelayMs: options.tokenDelayMs ?? 0 }),
    logger: silentLogger,
    metrics: metrics.worker,
    concurrency: 4,
    signal: stop.signal,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    backend,
    tokens,
    gate,
    async [Symbol.asyncDispose]() {
      stop.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await worker;
      await backend.close();
    },
  };
}
