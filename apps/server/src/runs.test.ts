import type { AppRouter } from '@threadcast/api';
import type { StreamEvent } from '@threadcast/contract';
import { demoReply } from '@threadcast/runner';
import {
  type AppProcess,
  type StartedProcess,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
  type TestRedis,
} from '@threadcast/testkit';
import type { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExactlyOnce, follow, longPrompt, signIn } from './testing/followers.ts';

/** The run lifecycle with real processes: one server, two workers, one Redis. */

// Renewed every third of it: long enough that a loaded machine's stall does not let a live worker's lease lapse.
const LEASE_MS = 3_000;
const env = {
  AUTH_SECRET: 'runs-test-secret-that-is-long-enough-for-hs256',
  AUTH_DEV_LOGIN: '1',
  AGENT_TOKEN_DELAY_MS: '5',
  RUN_LEASE_MS: String(LEASE_MS),
  WORKER_CONCURRENCY: '4',
  LOG_LEVEL: 'info',
  // One user starts many runs here: the per-user rate limit is tested in security.test.ts.
  RUN_STARTS_PER_MINUTE: '1000',
};

let redis: TestRedis;
let server: AppProcess;
let workers: StartedProcess[];

async function startWorker(): Promise<StartedProcess> {
  return startWorkerProcess({ ...env, REDIS_URL: redis.url });
}

/** The worker whose log says it took the run. */
async function workerOf(runId: string): Promise<StartedProcess> {
  let holder: StartedProcess | undefined;
  await expect
    .poll(() => {
      holder = workers.find((worker) => worker.output().includes(`"runId":"${runId}"`));
      return holder !== undefined;
    })
    .toBe(true);
  return holder as StartedProcess;
}

/** A run's lifecycle steps as its stream told them: `status` states, and `done` / `error` ends. */
const statesOf = (events: { event: StreamEvent }[]) =>
  events.flatMap(({ event }) => {
    if (event.type === 'status') return [event.content.state];
    return event.type === 'done' || event.type === 'error' ? [event.type] : [];
  });

beforeAll(async () => {
  redis = await startRedisServer();
  [server, ...workers] = await Promise.all([
    startServerProcess({ ...env, REDIS_URL: redis.url, EMBEDDED_WORKER: '0' }),
    startWorker(),
    startWorker(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.stop(), ...(workers ?? []).map((worker) => worker.stop())]);
  await redis?.stop();
});

describe('runs', () => {
  it('go queued, running, done, as the stream and run.get both tell', async () => {
    const { api } = await signIn(server.url, 'lifecycle');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    const { runId } = await api.trpc.run.start.mutate({ threadId, prompt: 'lifecycle ☀️' });
    expect(['queued', 'running']).toContain((await api.trpc.run.get.query({ runId })).state);
    await follower.finished;
    follower.stop();
    expect(statesOf(follower.events)).toEqual(['queued', 'running', 'done']);
    expectExactlyOnce(follower.events);
    expect(await api.trpc.run.get.query({ runId })).toMatchObject({
      runId,
      threadId,
      state: 'done',
      prompt: 'lifecycle ☀️',
      text: demoReply('lifecycle ☀️'),
    });
  });

  it('are shared by two workers, each run streamed exactly once', async () => {
    const { api } = await signIn(server.url, 'many');
    const threads = await Promise.all(Array.from({ length: 5 }, () => api.trpc.thread.create.mutate({})));
    const started: { runId: string; threadId: string; prompt: string }[] = [];
    for (let i = 0; i < 50; i += 1) {
      const { threadId } = threads[i % threads.length] as { threadId: string };
      const prompt = `run ${i}`;
      started.push({ ...(await api.trpc.run.start.mutate({ threadId, prompt })), threadId, prompt });
    }
    await expect
      .poll(
        async () =>
          (await Promise.all(started.map(({ runId }) => api.trpc.run.get.query({ runId })))).every(
            (r) => r.state === 'done',
          ),
        {
          timeout: 60_000,
          interval: 200,
        },
      )
      .toBe(true);
    for (const { threadId } of threads) {
      const detail = await api.trpc.thread.get.query({ threadId });
      expect(detail.messages).toHaveLength(10);
      for (const message of detail.messages)
        expect(message).toMatchObject({ state: 'done', text: demoReply(message.prompt) });
    }
    // Every run was taken exactly once, and both workers took some.
    const takenBy = (worker: StartedProcess, runId: string) =>
      worker
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"run taken"') && line.includes(`"runId":"${runId}"`)).length;
    for (const { runId } of started)
      expect(workers.map((worker) => takenBy(worker, runId)).reduce((a, b) => a + b)).toBe(1);
    for (const worker of workers) expect(started.some(({ runId }) => takenBy(worker, runId) > 0)).toBe(true);
  }, 90_000);

  it('stop within a token of run.cancel, end `cancelled`, and only their owner may cancel', async () => {
    const { api } = await signIn(server.url, 'canceller');
    const { api: stranger } = await signIn(server.url, 'stranger');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    const { runId } = await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(2000) });
    await expect.poll(() => follower.tokens()).toBeGreaterThanOrEqual(20);
    const denied = await stranger.trpc.run.cancel.mutate({ runId }).catch((e: unknown) => e);
    expect((denied as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
    expect(await api.trpc.run.cancel.mutate({ runId })).toEqual({ runId, state: 'cancelled' });
    await follower.finished;
    const run = await api.trpc.run.get.query({ runId });
    expect(run).toMatchObject({ state: 'cancelled', reason: 'cancelled by the user' });
    // Nothing after the end, and far fewer tokens than the full reply.
    const last = follower.events.at(-1)?.event;
    expect(last).toMatchObject({ type: 'status', content: { state: 'cancelled' } });
    expect(follower.tokens()).toBeLessThan(2000);
    const detail = await api.trpc.thread.get.query({ threadId });
    expect(detail.lastEventId).toBe(follower.events.at(-1)?.id);
    follower.stop();
  }, 60_000);

  it('end `error` within the lease bound when their worker is killed, keeping the tokens sent', async () => {
    const { api } = await signIn(server.url, 'orphan');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    const { runId } = await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(3000) });
    await expect.poll(() => follower.tokens()).toBeGreaterThanOrEqual(20);
    const holder = await workerOf(runId);
    await holder.stop('SIGKILL');
    const killedAt = Date.now();
    await follower.finished;
    const detectedAfterMs = Date.now() - killedAt;
    follower.stop();
    workers = [...workers.filter((worker) => worker !== holder), await startWorker()];

    const last = follower.events.at(-1)?.event;
    expect(last).toMatchObject({ type: 'error', content: { message: 'the worker running it stopped responding' } });
    expect(detectedAfterMs).toBeLessThan(LEASE_MS * 4 + 5_000);
    const tokens = follower.events.filter((e) => e.event.type === 'token').map((e) => e.event.content as string);
    expect(demoReply(longPrompt(3000)).startsWith(tokens.join(''))).toBe(true);
    expect(await api.trpc.run.get.query({ runId })).toMatchObject({ state: 'error' });
  }, 60_000);

  it('finish and deliver their tail when their worker is stopped with SIGTERM', async () => {
    const { api } = await signIn(server.url, 'graceful');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    const prompt = longPrompt(300);
    const { runId } = await api.trpc.run.start.mutate({ threadId, prompt });
    await expect.poll(() => follower.tokens()).toBeGreaterThanOrEqual(10);
    const holder = await workerOf(runId);
    const stopped = holder.stop('SIGTERM');
    await follower.finished;
    await stopped;
    follower.stop();
    workers = [...workers.filter((worker) => worker !== holder), await startWorker()];
    expectExactlyOnce(follower.events);
    expect(follower.events.at(-1)?.event).toMatchObject({ type: 'done', content: { text: demoReply(prompt) } });
  }, 60_000);

  it('render from thread.get mid-run and continue from its lastEventId with no gap or duplicate', async () => {
    const { api } = await signIn(server.url, 'reloader');
    const { threadId } = await api.trpc.thread.create.mutate({});
    await api.trpc.run.start.mutate({ threadId, prompt: 'earlier' });
    await expect.poll(async () => (await api.trpc.thread.get.query({ threadId })).messages[0]?.state).toBe('done');
    const watcher = follow(api, threadId);
    const prompt = longPrompt(400);
    const { runId } = await api.trpc.run.start.mutate({ threadId, prompt });
    // The watcher starts with the earlier run; wait for tokens of this one.
    const tokensOfRun = () => watcher.events.filter((e) => e.event.type === 'token' && e.event.runId === runId).length;
    await expect.poll(tokensOfRun).toBeGreaterThanOrEqual(30);

    const detail = await api.trpc.thread.get.query({ threadId });
    expect(detail.messages.map((m) => m.prompt)).toEqual(['earlier', prompt]);
    const current = detail.messages[1];
    expect(current?.state).toBe('running');
    const resumed = follow(api, threadId, detail.lastEventId ?? undefined);
    await resumed.finished;
    resumed.stop();
    watcher.stop();
    const rest = resumed.events.filter((e) => e.event.type === 'token').map((e) => e.event.content as string);
    expect((current?.text ?? '') + rest.join('')).toBe(demoReply(prompt));
    const done = resumed.events.at(-1)?.event;
    if (done?.type !== 'done') throw new Error('the resumed stream did not end with done');
    expect((current?.tokenCount ?? 0) + rest.length).toBe(done.content.tokenCount);
  }, 60_000);
});
