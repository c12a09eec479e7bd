import { RedisEventBus, type RedisTarget } from '@threadcast/bus/redis';
import { demoReply } from '@threadcast/runner';
import {
  type AppProcess,
  type StartedProcess,
  startServerProcess,
  startTcpProxy,
  startWorkerProcess,
} from '@threadcast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf, expectExactlyOnce, follow, longPrompt, signIn } from './followers.ts';
import { openRawStream } from './raw-sse.ts';

/**
 * Delivery under faults, with real processes: every client of a thread must get every event exactly once,
 * in order, whatever happens to servers and connections (or be told with a `reset` notice). Run against each
 * Redis engine: one server, a cluster, a Sentinel set.
 */

/** A Redis for the suite: the variables that name it to the apps, itself for a publisher, and how to stop it. */
export interface DeliveryEngine {
  env: Record<string, string>;
  redis: string | RedisTarget;
  stop(): Promise<void>;
}

const AUTH_SECRET = 'delivery-test-secret-long-enough-for-hs256';
export const deliveryBaseEnv = {
  AUTH_SECRET,
  AUTH_DEV_LOGIN: '1',
  AGENT_TOKEN_DELAY_MS: '8',
  SSE_HEARTBEAT_MS: '1000',
  SUBSCRIBER_MAX_QUEUED: '2000',
  HISTORY_LIMIT: '20000',
  // Up to a hundred clients of one user follow one thread here: the per-user limit is tested in security.test.ts.
  STREAMS_PER_USER: '1000',
};
const baseEnv = deliveryBaseEnv;

export function describeDeliveryContract(
  name: string,
  startEngine: () => Promise<DeliveryEngine>,
  /**
   * Clients on the server that is killed and the words of their run, and the events flooding a client that stops
   * reading (100, 2,500 and 10,000 on one Redis; fewer where a file also runs its engine's faults, to keep the
   * whole test run within its time).
   */
  { killedServerClients = 100, killedServerRunWords = 2_500, slowReaderEvents = 10_000 } = {},
): void {
  describe(`delivery across servers, restarts and dropped connections: ${name}`, () => {
    let engine: DeliveryEngine;
    let serverA: AppProcess;
    let serverB: AppProcess;
    let worker: StartedProcess;
    let env: Record<string, string>;

    beforeAll(async () => {
      engine = await startEngine();
      env = { ...baseEnv, ...engine.env };
      [serverA, serverB, worker] = await Promise.all([
        startServerProcess(env),
        startServerProcess(env),
        startWorkerProcess(env),
      ]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([serverA?.stop(), serverB?.stop(), worker?.stop()]);
      await engine?.stop();
    });

    it(`keeps ${killedServerClients} clients exact while their server is killed with SIGKILL and restarted`, async () => {
      const { api, token } = await signIn(serverB.url, 'hundred');
      const { threadId } = await api.trpc.thread.create.mutate({});
      const port = new URL(serverA.url).port;
      const followers = Array.from({ length: killedServerClients }, () =>
        follow(clientOf(serverA.url, token), threadId),
      );
      const watcher = follow(api, threadId);
      // All connected before the run starts, so they move through it together and the kill lands mid-run.
      await expect.poll(() => followers.every((f) => f.live()), { timeout: 60_000 }).toBe(true);
      // Long enough (about 20 s) that a hundred followers on a loaded machine all have tokens before it ends.
      await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(killedServerRunWords) });
      await expect.poll(() => followers.every((f) => f.tokens() >= 5), { timeout: 60_000 }).toBe(true);

      // The kill must cut the followers' streams mid-run (the worker may be done; they are not).
      expect(followers.some((f) => f.events.some((e) => e.event.type === 'done'))).toBe(false);
      await serverA.stop('SIGKILL');
      serverA = await startServerProcess({ ...env, PORT: port });

      await Promise.all([watcher.finished, ...followers.map((f) => f.finished)]);
      for (const follower of [watcher, ...followers]) {
        follower.stop();
        expectExactlyOnce(follower.events);
      }
    }, 90_000);

    it('lets a client move from one server to another mid-run', async () => {
      const { api, token } = await signIn(serverA.url, 'mover');
      const { threadId } = await api.trpc.thread.create.mutate({});
      const onA = follow(clientOf(serverA.url, token), threadId);
      await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(150) });
      await expect.poll(() => onA.tokens(), { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
      onA.stop();
      const lastEventId = onA.events.at(-1)?.id;
      const onB = follow(clientOf(serverB.url, token), threadId, lastEventId);
      await onB.finished;
      onB.stop();
      expect(onB.events[0]?.id).not.toBe(lastEventId);
      expectExactlyOnce([...onA.events, ...onB.events]);
    }, 60_000);

    it('survives the proxy cutting every client connection 10 times during a run', async () => {
      await using proxy = await startTcpProxy(Number(new URL(serverA.url).port));
      const { api, token } = await signIn(serverB.url, 'dropped');
      const { threadId } = await api.trpc.thread.create.mutate({});
      const viaProxy = `http://127.0.0.1:${proxy.port}`;
      const followers = Array.from({ length: 5 }, () => follow(clientOf(viaProxy, token), threadId));
      const watcher = follow(api, threadId);
      await expect.poll(() => followers.every((f) => f.live()), { timeout: 30_000 }).toBe(true);
      await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(1200) });
      let drops = 0;
      for (let cut = 1; cut <= 10; cut += 1) {
        await expect.poll(() => followers.every((f) => f.tokens() >= cut * 30), { timeout: 20_000 }).toBe(true);
        await expect.poll(() => proxy.open).toBeGreaterThanOrEqual(followers.length);
        expect(followers.some((f) => f.events.some((e) => e.event.type === 'done'))).toBe(false);
        drops += proxy.dropAll();
      }
      await Promise.all([watcher.finished, ...followers.map((f) => f.finished)]);
      expect(drops).toBeGreaterThanOrEqual(10 * followers.length);
      for (const follower of followers) {
        follower.stop();
        expectExactlyOnce(follower.events);
      }
    }, 90_000);

    it('cuts off a client that stops reading without growing the server or slowing the others', async () => {
      const { api, token } = await signIn(serverA.url, 'sleepy');
      const { threadId } = await api.trpc.thread.create.mutate({});
      const total = slowReaderEvents;
      const chunk = 'x'.repeat(4_000);

      // A raw SSE reader that reads until the run has begun, then nothing.
      const slow = await openRawStream(serverA.url, threadId, token);
      let text = '';
      slow.setEncoding('utf8');
      slow.on('data', (data: string) => {
        text += data;
      });
      const reader = follow(api, threadId);

      // A run starts with `queued`: both streams receiving it shows they are subscribed before the flood.
      const publisher = new RedisEventBus({ url: engine.redis });
      try {
        const queued = { state: 'queued', runId: 'bulk' } as const;
        await publisher.publish({ type: 'status', threadId, runId: 'bulk', ts: Date.now(), content: queued });
        await expect.poll(() => reader.events.length, { timeout: 30_000 }).toBe(1);
        await expect.poll(() => text.includes('"queued"'), { timeout: 30_000 }).toBe(true);
        slow.pause();
        for (let i = 0; i < total; i += 1) {
          await publisher.publish({ type: 'token', threadId, runId: 'bulk', ts: Date.now(), content: `${i} ${chunk}` });
        }
      } finally {
        await publisher.close();
      }
      await expect.poll(() => reader.tokens(), { timeout: 60_000 }).toBe(total);
      reader.stop();
      expect(reader.events.length).toBe(total + 1);
      const tokens = reader.events.flatMap((e) => (e.event.type === 'token' ? [e.event.content] : []));
      expect(tokens.map((content) => Number.parseInt(content, 10))).toEqual(Array.from({ length: total }, (_, i) => i));

      // Now read what the slow client was sent: a bounded part, then an error that tells it to resume.
      slow.resume();
      await new Promise((resolve) => slow.once('end', resolve));
      const delivered = text.split('\n').filter((line) => line.startsWith('id: ')).length;
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(total);
      expect(text).toContain('event: serialized-error');
      expect(text).toContain('SERVICE_UNAVAILABLE');
    }, 120_000);

    it('gives a late joiner the whole current run, or the rest after its lastEventId', async () => {
      const { api } = await signIn(serverA.url, 'latecomer');
      const { threadId } = await api.trpc.thread.create.mutate({});
      await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(100) });
      const early = follow(api, threadId);
      await expect.poll(() => early.tokens(), { timeout: 20_000 }).toBeGreaterThanOrEqual(30);
      const late = follow(clientOf(serverB.url, (await signIn(serverB.url, 'latecomer')).token), threadId);
      const cut = early.events[10]?.id as string;
      const resumed = follow(api, threadId, cut);
      await Promise.all([early.finished, late.finished, resumed.finished]);
      for (const f of [early, late, resumed]) f.stop();
      expectExactlyOnce(early.events);
      expectExactlyOnce(late.events);
      expect(late.events.map((e) => e.id)).toEqual(early.events.map((e) => e.id));
      expect(resumed.events.map((e) => e.id)).toEqual(early.events.slice(11).map((e) => e.id));
      expect(early.events.at(-1)?.event).toMatchObject({ type: 'done', content: { text: demoReply(longPrompt(100)) } });
    }, 60_000);
  });
}
