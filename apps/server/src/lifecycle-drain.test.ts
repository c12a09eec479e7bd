import type { AddressInfo } from 'node:net';
import { createAppRouter, createContextFactory, TokenService } from '@threadcast/api';
import { openBackend } from '@threadcast/backend';
import type { Logger } from '@threadcast/common';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from './http-server.ts';
import { ServerLifecycle } from './lifecycle.ts';
import { openRawStream } from './testing/raw-sse.ts';

/** A drain in this process, for what a process-level test cannot arrange: a client that stopped reading. */

function recordingLogger(lines: string[]): Logger {
  const record = (msg: string) => {
    lines.push(msg);
  };
  return {
    debug: (_o, msg) => record(msg),
    info: (_o, msg) => record(msg),
    warn: (_o, msg) => record(msg),
    error: (_o, msg) => record(msg),
  };
}

async function startDrainable(options: { spreadMs: number; timeoutMs: number }) {
  const backend = openBackend({});
  const tokens = new TokenService({ secret: 'drain-test-secret-long-enough-for-hs256' });
  const lines: string[] = [];
  const logger = recordingLogger(lines);
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const lifecycle = new ServerLifecycle({ backend, logger, redisLossGraceMs: 5_000, exit: exited, ...options });
  const server = createHttpServer({
    router: createAppRouter({ heartbeatMs: 60_000 }),
    createContext: createContextFactory({ ...backend, tokens, devLoginEnabled: false, logger, gate: lifecycle.gate }),
    logger,
    readiness: () => lifecycle.readiness(),
  });
  lifecycle.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { backend, tokens, lifecycle, server, lines, exit, url: `http://127.0.0.1:${port}` };
}

describe('a drain with a client that stopped reading', () => {
  it('ends its stream behind what is already on its way, before the deadline, then closes the backend and exits 0', async () => {
    const timeoutMs = 3_000;
    const drainable = await startDrainable({ spreadMs: 200, timeoutMs });
    const { backend, tokens, lifecycle, server, lines, exit, url } = drainable;
    try {
      const { token } = await tokens.issue({ id: 'sleepy', name: 'Sleepy' });
      const { threadId } = await backend.threads.create({ ownerId: 'sleepy', title: 'drain' });
      const response = await openRawStream(url, threadId, token);
      // Read up to the first event, then nothing more: the server's socket buffers fill up behind it.
      let text = '';
      const first = new Promise<void>((resolve) => {
        response.on('data', function onData(chunk: Buffer) {
          text += chunk.toString('utf8');
          if (!text.includes('\nid: ')) return;
          response.off('data', onData);
          response.pause();
          resolve();
        });
      });
      const closed = new Promise<void>((resolve) => response.socket.once('close', () => resolve()));
      const chunk = 'x'.repeat(64 * 1024);
      await expect.poll(() => backend.bus.stats().subscribers).toBe(1);
      await backend.bus.publish({ type: 'token', threadId, ts: Date.now(), content: 'first' });
      await first;
      for (let i = 0; i < 400; i += 1)
        await backend.bus.publish({ type: 'token', threadId, ts: Date.now(), content: chunk });
      expect(lifecycle.gate.size).toBe(1);

      const started = performance.now();
      void lifecycle.shutdown('SIGTERM', async () => {});
      expect(lifecycle.readiness()).toEqual({ ready: false, reason: 'this server is shutting down' });
      expect(await exit).toBe(0);
      expect(performance.now() - started).toBeLessThan(timeoutMs);
      // Reading again, the client gets what was already on its way, then the end of the connection.
      let rest = '';
      response.on('data', (chunk: Buffer) => {
        rest += chunk.toString('utf8');
      });
      response.resume();
      await closed;
      // The stream's end was written behind what was already on its way, and gave its pass back at once.
      expect(rest).toMatch(/event: serialized-error\ndata: [^\n]*SERVICE_UNAVAILABLE[^\n]*\n\n$/);
      expect(lines).not.toContain('cutting the connections still open');
      expect(lines).not.toContain('shutdown deadline passed: exiting with work left');
      expect(lifecycle.gate.size).toBe(0);
    } finally {
      server.closeAllConnections();
      server.close();
      await backend.close();
    }
  });
});
