import { RedisEventBus } from '@threadcast/bus/redis';
import { threadChannel } from '@threadcast/bus/redis-names';
import {
  type AppProcess,
  channelSubscribers,
  freePort,
  type StartedProcess,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
  type TestRedis,
} from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './test-server.ts';
import { follow, longPrompt, signIn } from './testing/followers.ts';
import { type Scrape, scrape } from './testing/metrics.ts';
import { openRawStream, rawStream } from './testing/raw-sse.ts';

/** /metrics of a server and of a worker process, driven through real runs on a real Redis, in both SSE modes. */

const METRICS_TOKEN = 'metrics-test-scrape-token';
const env = {
  AUTH_SECRET: 'metrics-test-secret-long-enough-for-hs256',
  AUTH_DEV_LOGIN: '1',
  AGENT_TOKEN_DELAY_MS: '2',
  METRICS_TOKEN,
  // One run at a time, so runs queue up behind it.
  WORKER_CONCURRENCY: '1',
  // Small enough that a client that stops reading is cut off after a few large events.
  SUBSCRIBER_MAX_QUEUED: '64',
  RUN_STARTS_PER_MINUTE: '1000',
  EMBEDDED_WORKER: '0',
};

describe('metrics', () => {
  let redis: TestRedis;
  let server: AppProcess;
  let worker: StartedProcess;
  let workerUrl: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    const workerPort = await freePort();
    [server, worker] = await Promise.all([
      startServerProcess({ ...env, REDIS_URL: redis.url, INSTANCE_ID: 'server-1' }),
      startWorkerProcess({
        ...env,
        REDIS_URL: redis.url,
        INSTANCE_ID: 'worker-1',
        WORKER_METRICS_PORT: String(workerPort),
        WORKER_METRICS_HOST: '127.0.0.1',
      }),
    ]);
    await worker.waitForLine(/threadcast worker metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    workerUrl = `http://127.0.0.1:${workerPort}`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), worker?.stop()]);
    await redis?.stop();
  });

  const ofServer = () => scrape(server.url, METRICS_TOKEN);
  const ofWorker = () => scrape(workerUrl, METRICS_TOKEN);
  const gained = (after: Scrape, before: Scrape, name: string, labels?: Record<string, string>) =>
    after.value(name, labels) - before.value(name, labels);

  it('refuses a scrape without the token', async () => {
    for (const url of [server.url, workerUrl]) {
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('threadcast_');
    }
  });

  it("follows a run's delivery: open streams, delivered events and their latency, runs, queue, worker tokens", async () => {
    const [server0, worker0] = await Promise.all([ofServer(), ofWorker()]);
    const { api } = await signIn(server.url, 'metered');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    await expect.poll(async () => (await ofServer()).value('threadcast_streams_open')).toBe(1);
    await api.trpc.run.start.mutate({ threadId, prompt: 'count me ✓' });
    await follower.finished;
    const received = follower.events.length;
    const tokens = follower.tokens();
    expect(tokens).toBeGreaterThan(5);

    // The done event is counted once the writer asked for the next one, just after it wrote it.
    await expect
      .poll(async () => gained(await ofServer(), server0, 'threadcast_events_delivered_total'))
      .toBe(received);
    const during = await ofServer();
    expect(during.value('threadcast_streams_open', { instance_id: 'server-1', procedure: 'thread.onEvent' })).toBe(1);
    expect(gained(during, server0, 'threadcast_events_replayed_total')).toBe(0);
    expect(gained(during, server0, 'threadcast_delivery_latency_seconds_count')).toBe(received);
    // Every live event took less than 10 s from publish to the client, and some time at all.
    expect(gained(during, server0, 'threadcast_delivery_latency_seconds_bucket', { le: '10' })).toBe(received);
    expect(gained(during, server0, 'threadcast_delivery_latency_seconds_sum')).toBeGreaterThan(0);
    expect(gained(during, server0, 'threadcast_runs', { state: 'done' })).toBe(1);
    expect(during.value('threadcast_redis_connected', { role: 'commands' })).toBe(1);
    expect(during.value('threadcast_redis_connected', { role: 'subscriber' })).toBe(1);
    expect(during.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(during.value('process_open_fds')).toBeGreaterThan(0);
    expect(during.samples.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds')).toBe(true);

    const workerAfter = await ofWorker();
    expect(gained(workerAfter, worker0, 'threadcast_worker_tokens_total', { instance_id: 'worker-1' })).toBe(tokens);
    expect(workerAfter.value('threadcast_redis_connected', { role: 'commands' })).toBe(1);
    expect(workerAfter.value('threadcast_redis_connected', { role: 'queue' })).toBe(1);

    follower.stop();
    await expect.poll(async () => (await ofServer()).value('threadcast_streams_open')).toBe(0);

    // A client resuming after its fifth event gets the rest from history: replayed, and no latency for them.
    const before = await ofServer();
    const resumed = follow(api, threadId, follower.events[4]?.id);
    await resumed.finished;
    resumed.stop();
    expect(resumed.events).toHaveLength(received - 5);
    await expect
      .poll(async () => gained(await ofServer(), before, 'threadcast_events_replayed_total'))
      .toBe(received - 5);
    const after = await ofServer();
    expect(gained(after, before, 'threadcast_events_delivered_total')).toBe(received - 5);
    expect(gained(after, before, 'threadcast_delivery_latency_seconds_count')).toBe(0);
    await expect.poll(async () => (await ofServer()).value('threadcast_streams_open')).toBe(0);
  });

  it('shows runs queued behind a busy worker, then the queue draining', async () => {
    const { api } = await signIn(server.url, 'queued');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const started = [];
    for (let i = 0; i < 3; i += 1) started.push(await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(400) }));
    const depthAndStates = async () => {
      const now = await ofServer();
      return {
        waiting: now.value('threadcast_queue_depth', { state: 'waiting' }),
        leased: now.value('threadcast_queue_depth', { state: 'leased' }),
        queued: now.value('threadcast_runs', { state: 'queued' }),
        running: now.value('threadcast_runs', { state: 'running' }),
      };
    };
    // The one worker, one run at a time: one leased and running, two waiting and queued.
    await expect.poll(depthAndStates).toEqual({ waiting: 2, leased: 1, queued: 2, running: 1 });
    await expect
      .poll(depthAndStates, { timeout: 30_000, interval: 200 })
      .toEqual({ waiting: 0, leased: 0, queued: 0, running: 0 });
    for (const { runId } of started) expect((await api.trpc.run.get.query({ runId })).state).toBe('done');
  });

  it('counts reset notices, and the events dropped for a client that stopped reading as it is cut off', async () => {
    const { api, token } = await signIn(server.url, 'sleepy');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const publisher = new RedisEventBus({ url: redis.url });
    try {
      const queued = { state: 'queued', runId: 'bulk' } as const;
      await publisher.publish({ type: 'status', threadId, runId: 'bulk', ts: Date.now(), content: queued });

      // Resuming with an id of a history that is gone: a reset notice comes first.
      const before = await ofServer();
      const lost = await rawStream(
        server.url,
        { threadId, lastEventId: 'zzzzzzzzzz:3' },
        { headers: { authorization: `Bearer ${token}` }, until: (text) => text.includes('"queued"') },
      );
      expect(lost.text).toContain('"state":"reset"');
      await expect.poll(async () => gained(await ofServer(), before, 'threadcast_reset_notices_total')).toBe(1);

      // A raw reader that reads the first event, then nothing, while 40 MB follow.
      const beforeSlow = await ofServer();
      const slow = await openRawStream(server.url, threadId, token);
      let text = '';
      slow.setEncoding('utf8');
      slow.on('data', (data: string) => {
        text += data;
      });
      await expect.poll(() => text.includes('"queued"')).toBe(true);
      slow.pause();
      const chunk = 'x'.repeat(256 * 1024);
      for (let i = 0; i < 160; i += 1) {
        await publisher.publish({ type: 'token', threadId, runId: 'bulk', ts: Date.now(), content: `${i} ${chunk}` });
      }
      // It is cut off as its queue overflows, while it still reads nothing: the 64 events waiting for it and
      // the one that did not fit are dropped, and its stream is closed.
      const dropped = async () => gained(await ofServer(), before, 'threadcast_events_dropped_total');
      await expect.poll(dropped, { timeout: 20_000 }).toBe(65);
      const disconnects = async () => gained(await ofServer(), before, 'threadcast_slow_consumer_disconnects_total');
      await expect.poll(disconnects).toBe(1);
      expect((await ofServer()).value('threadcast_streams_open')).toBe(0);

      // Reading again, the client gets what was written, then the error that tells it to resume.
      slow.resume();
      await new Promise((resolve) => slow.once('end', resolve));
      expect(text).toContain('SERVICE_UNAVAILABLE');
      const after = await ofServer();
      expect(gained(after, before, 'threadcast_slow_consumer_disconnects_total')).toBe(1);
      // Of its 161 events, some were delivered and 65 dropped, never both; the rest came after its stream ended.
      const delivered = gained(after, beforeSlow, 'threadcast_events_delivered_total');
      expect(delivered).toBeGreaterThan(0);
      expect(delivered + gained(after, beforeSlow, 'threadcast_events_dropped_total')).toBeLessThanOrEqual(161);
      const written = text.split('\n').filter((line) => line.startsWith('id: ')).length;
      // The writer counts what it wrote.
      expect(written).toBe(delivered);
    } finally {
      await publisher.close();
    }
  }, 60_000);

  it('counts messages dropped from a thread channel, and Redis reconnects', async () => {
    const { api } = await signIn(server.url, 'channel');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    const producer = new Redis(redis.url);
    try {
      await expect.poll(() => channelSubscribers(producer, threadChannel(threadId))).toBe(1);
      const before = await ofServer();
      await producer.publish(threadChannel(threadId), 'not json');
      await producer.publish(threadChannel(threadId), JSON.stringify({ type: 'token', content: 'no thread id' }));
      await expect.poll(async () => gained(await ofServer(), before, 'threadcast_bus_messages_dropped_total')).toBe(2);
    } finally {
      producer.disconnect();
    }

    const [server0, worker0] = await Promise.all([ofServer(), ofWorker()]);
    await redis.restart();
    const back = async (of: () => Promise<Scrape>, before: Scrape, role: string) => {
      const now = await of();
      return [
        now.value('threadcast_redis_connected', { role }),
        gained(now, before, 'threadcast_redis_reconnects_total', { role }),
      ];
    };
    for (const role of ['commands', 'subscriber']) {
      await expect.poll(() => back(ofServer, server0, role)).toEqual([1, 1]);
    }
    for (const role of ['commands', 'queue']) {
      await expect.poll(() => back(ofWorker, worker0, role)).toEqual([1, 1]);
    }
    follower.stop();
  }, 60_000);
});

describe('metrics of servers in one process', () => {
  it('keep a registry per server: each counts its own streams and its own worker', async () => {
    await using a = await startTestServer({ instanceId: 'a', tokenDelayMs: 0 });
    await using b = await startTestServer({ instanceId: 'b', tokenDelayMs: 0 });
    const { api } = await signIn(a.url, 'only-a');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    await expect.poll(async () => (await scrape(a.url)).value('threadcast_streams_open')).toBe(1);
    await api.trpc.run.start.mutate({ threadId, prompt: 'in process' });
    await follower.finished;
    follower.stop();
    await expect
      .poll(async () => (await scrape(a.url)).value('threadcast_events_delivered_total', { instance_id: 'a' }))
      .toBe(follower.events.length);
    const ofA = await scrape(a.url);
    const ofB = await scrape(b.url);
    expect(ofA.value('threadcast_worker_tokens_total')).toBe(follower.tokens());
    expect(ofB.value('threadcast_events_delivered_total', { instance_id: 'b' })).toBe(0);
    expect(ofB.value('threadcast_worker_tokens_total')).toBe(0);
    expect(ofB.value('threadcast_runs', { state: 'done' })).toBe(0);
    expect(ofA.value('threadcast_runs', { state: 'done' })).toBe(1);
  });
});
