import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppRouter, createContextFactory, SseWriter, StreamGate, TokenService } from '@threadcast/api';
import { openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { DemoAgent, runWorker } from '@threadcast/runner';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { EventSource } from 'eventsource';
import { createStreamingClient, type StreamingClient } from '../../streaming-client.ts';

export interface ThreadcastServer extends AsyncDisposable {
  url: string;
  /** A client signed in as `name`. */
  client(name: string): Promise<StreamingClient>;
}

/**
 * A threadcast host in this process, as the server app composes one: tRPC with the SSE writer for streams,
 * the memory engine, and a worker running the demo agent at `tokenDelayMs` a chunk.
 */
export async function startThreadcastServer(options: { tokenDelayMs: number }): Promise<ThreadcastServer> {
  const backend = openBackend({});
  const tokens = new TokenService({ secret: 'ai-transport-test-secret-long-enough-for-hs256' });
  const router = createAppRouter({ heartbeatMs: 15_000 });
  const createContext = createContextFactory({
    ...backend,
    tokens,
    devLoginEnabled: false,
    logger: silentLogger,
    gate: new StreamGate(),
  });
  const writer = new SseWriter({ router, basePath: '/trpc/', createContext, logger: silentLogger });
  const handler = createHTTPHandler({ router, basePath: '/trpc/', createContext });
  const server = createServer((req, res) => {
    if (writer.handles(req)) void writer.serve(req, res);
    else handler(req, res);
  });
  server.on('close', () => writer.close());
  const stop = new AbortController();
  const worker = runWorker({
    ...backend,
    agent: new DemoAgent({ tokenDelayMs: options.tokenDelayMs }),
    logger: silentLogger,
    concurrency: 4,
    signal: stop.signal,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
  return {
    url,
    async client(name) {
      const { token } = await tokens.issue({ id: name, name });
      return createStreamingClient({ url, getToken: () => token, EventSource });
    },
    async [Symbol.asyncDispose]() {
      stop.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await worker;
      await backend.close();
    },
  };
}
