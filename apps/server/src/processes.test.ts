import type { AppRouter } from '@threadcast/api';
import { connectionNames, legacyRunChannel, threadChannel } from '@threadcast/bus/redis-names';
import { createStreamingClient } from '@threadcast/client';
import type { StreamEvent } from '@threadcast/contract';
import { demoReply } from '@threadcast/runner';
import {
  type AppProcess,
  channelSubscribers,
  type StartedProcess,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
  type TestRedis,
} from '@threadcast/testkit';
import type { TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AUTH_SECRET = 'processes-test-secret-long-enough-for-hs256';
let redis: TestRedis;
let servers: AppProcess[];
let worker: StartedProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, AUTH_SECRET, AUTH_DEV_LOGIN: '1', AGENT_TOKEN_DELAY_MS: '2' };
  [servers, worker] = await Promise.all([
    Promise.all([startServerProcess(env), startServerProcess(env)]),
    startWorkerProcess(env),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([...(servers ?? []).map((s) => s.stop()), worker?.stop()]);
  await redis?.stop();
});

const clientOf = (server: AppProcess, token: string | null) =>
  createStreamingClient({ url: `${server.url}/trpc`, getToken: () => token, EventSource });

describe('separate server and worker processes on one Redis', () => {
  it('streams a run started on one server to a subscriber on another, from a separate worker', async () => {
    const [a, b] = servers as [AppProcess, AppProcess];
    const { token } = await clientOf(a, null).trpc.auth.devLogin.mutate({ name: 'carol' });
    const viaA = clientOf(a, token);
    const viaB = clientOf(b, token);
    const { threadId } = await viaA.trpc.thread.create.mutate({ title: 'cross-server' });
    expect((await viaB.trpc.thread.list.query()).map((t) => t.threadId)).toEqual([threadId]);

    const prompt = 'across processes ✈️ über 東京';
    const events: StreamEvent[] = [];
    const controller = new AbortController();
    const stream = viaB.events(threadId, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = stream.next();
    await viaA.trpc.run.start.mutate({ threadId, prompt });
    for (let next = await first; !next.done; next = await stream.next()) {
      events.push(next.value.event);
      if (next.value.event.type === 'done') break;
    }
    controller.abort();

    const tokens = events.filter((e) => e.type === 'token').map((e) => e.content);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      content: { text: demoReply(prompt), tokenCount: tokens.length },
    });
    expect(tokens.join('')).toBe(demoReply(prompt));
  });

  it('holds one shared subscriber connection per server process, and none in the worker', async () => {
    const admin = new Redis(redis.url);
    const controller = new AbortController();
    try {
      const [a] = servers as [AppProcess];
      const { token } = await clientOf(a, null).trpc.auth.devLogin.mutate({ name: 'dave' });
      const streams = [];
      for (const server of servers) {
        const api = clientOf(server, token);
        const { threadId } = await api.trpc.thread.create.mutate({});
        for (let i = 0; i < 5; i += 1) streams.push(api.events(threadId, { signal: controller.signal }));
      }
      const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
      const pending = iterators.map((iterator) => iterator.next());
      const subscriberCount = async () => {
        const lines = ((await admin.call('CLIENT', 'LIST')) as string).split('\n');
        const named = (name: string) => lines.filter((line) => line.includes(` name=${name} `));
        return {
          // One subscriber connection per server, whatever its number of streams.
          subscribed: named(connectionNames.subscriber).filter((line) => / sub=[1-9]/.test(line)).length,
          // One process of the fleet bridges the legacy channels, on its shared subscriber.
          legacyBridges: named(connectionNames.subscriber).filter((line) => / psub=[1-9]/.test(line)).length,
          // Per process: commands and one subscriber (the worker opens its subscriber only to bridge).
          connections: named(connectionNames.commands).length + named(connectionNames.subscriber).length,
        };
      };
      await expect.poll(subscriberCount).toMatchObject({ subscribed: 2, legacyBridges: 1 });
      expect((await subscriberCount()).connections).toBeLessThanOrEqual(2 * 3);
      controller.abort();
      await Promise.allSettled(pending);
    } finally {
      controller.abort();
      admin.disconnect();
    }
  });

  it("carries the seed's agent_run and thread channels to a browser's stream", async () => {
    const [a, b] = servers as [AppProcess, AppProcess];
    const { token } = await clientOf(a, null).trpc.auth.devLogin.mutate({ name: 'seed' });
    const api = clientOf(b, token);
    const { threadId } = await api.trpc.thread.create.mutate({});
    const received: { id: string; event: StreamEvent }[] = [];
    const stop = api.watchThread(threadId, { onEvent: (event, id) => received.push({ id, event }) });
    const producer = new Redis(redis.url);
    try {
      await expect.poll(() => channelSubscribers(producer, threadChannel(threadId))).toBe(1);
      const legacy = (content: string) => JSON.stringify({ type: 'token', threadId, content, ts: Date.now() });
      await producer.publish(legacyRunChannel('seedrun'), legacy('from the seed worker'));
      await producer.publish(threadChannel(threadId), legacy('from redis-cli'));
      await expect.poll(() => received.length).toBe(2);
      const byContent = Object.fromEntries(received.map((r) => [r.event.content as string, r]));
      expect(byContent['from the seed worker']?.event.runId).toBe('seedrun');
      expect(byContent['from the seed worker']?.id).toMatch(/^[a-z0-9]+:\d+$/);
      expect(byContent['from redis-cli']?.id).toMatch(/^[a-z0-9]+:\d+\.\d+$/);
      // Only the bridged one was kept: it is what a reconnecting client gets back.
      const detail = await api.trpc.thread.get.query({ threadId });
      expect(detail.lastEventId).toBe(byContent['from the seed worker']?.id);
    } finally {
      stop();
      producer.disconnect();
    }
  });

  it('refuses dev tokens signed by another secret', async () => {
    const [a] = servers as [AppProcess];
    const error = await clientOf(a, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl')
      .trpc.thread.list.query()
      .catch((e: unknown) => e);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
  });
});
