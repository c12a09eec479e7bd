import { threadChannel } from '@threadcast/bus/redis-names';
import {
  type AppProcess,
  channelSubscribers,
  findServingPid,
  localTcpPorts,
  startBalancer,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
} from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { clientOf, expectExactlyOnce, follow, longPrompt, signIn } from './testing/followers.ts';
import { rawStream } from './testing/raw-sse.ts';

/**
 * The server's lifecycle with real processes: a SIGTERM drains it (not ready, new streams refused, open
 * ones ended spread over SHUTDOWN_SPREAD_MS, clients resuming elsewhere exactly once) and it exits 0 in
 * time; losing Redis makes it unready and ends its streams with a retryable error, and it recovers.
 */

const AUTH_SECRET = 'lifecycle-test-secret-long-enough-for-hs256';
// Wide enough for the checks made while the server drains, on a loaded machine.
const SPREAD_MS = 4_000;
const TIMEOUT_MS = 15_000;
const baseEnv = {
  AUTH_SECRET,
  AUTH_DEV_LOGIN: '1',
  AGENT_TOKEN_DELAY_MS: '8',
  // A client reconnects after 2.5 heartbeats of silence: a stall of a loaded machine must not drop it before the drain.
  SSE_HEARTBEAT_MS: '4000',
  HISTORY_LIMIT: '20000',
  STREAMS_PER_USER: '1000',
  SHUTDOWN_SPREAD_MS: String(SPREAD_MS),
  SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
};

async function readyz(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, text: await response.text() };
}

/** `addr=` of every Redis client connection whose local port is a socket of `pid`. */
async function redisClientsOf(admin: Redis, pid: number): Promise<string[]> {
  const [list, ports] = await Promise.all([admin.call('CLIENT', 'LIST') as Promise<string>, localTcpPorts(pid)]);
  return list.split('\n').flatMap((line) => {
    const addr = /(?:^| )addr=(\S+:(\d+)) /.exec(line);
    return addr?.[1] && ports.has(Number(addr[2])) ? [addr[1]] : [];
  });
}

async function redisAddrs(admin: Redis): Promise<string[]> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list.split('\n').flatMap((line) => /(?:^| )addr=(\S+) /.exec(line)?.[1] ?? []);
}

describe('SIGTERM drains a server', () => {
  it('turns unready, refuses new streams, ends open ones spread out, and its clients resume on the other server exactly once', async () => {
    await using redis = await startRedisServer();
    const env = { ...baseEnv, REDIS_URL: redis.url };
    const [serverA, serverB, worker] = await Promise.all([
      startServerProcess(env),
      startServerProcess(env),
      startWorkerProcess(env),
    ]);
    await using _processes = {
      [Symbol.asyncDispose]: () => Promise.all([serverA, serverB, worker].map((p) => p.stop())).then(() => {}),
    };
    const portA = Number(new URL(serverA.url).port);
    const portB = Number(new URL(serverB.url).port);
    await using balancer = await startBalancer([portA, portB]);
    // Both ready (Redis connected) before any client comes, so that every client starts on A.
    await expect.poll(() => balancer.isReady(portA) && balancer.isReady(portB)).toBe(true);
    const admin = new Redis(redis.url);
    try {
      const { api, token } = await signIn(serverB.url, 'drained');
      const { threadId } = await api.trpc.thread.create.mutate({});
      const viaBalancer = `http://127.0.0.1:${balancer.port}`;
      const followers = Array.from({ length: 20 }, () => follow(clientOf(viaBalancer, token), threadId));
      await expect.poll(() => followers.every((f) => f.live()), { timeout: 30_000 }).toBe(true);
      expect(balancer.openTo(portA)).toBeGreaterThanOrEqual(followers.length);

      const pidA = await findServingPid(serverA.child.pid as number);
      const connectionsOfA = await redisClientsOf(admin, pidA);
      expect(connectionsOfA).toHaveLength(2);

      // Long enough (about 16 s) to outlast the drain's spread on a loaded machine.
      await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(2000) });
      await expect.poll(() => followers.every((f) => f.tokens() >= 5), { timeout: 30_000 }).toBe(true);
      expect(followers.some((f) => f.events.some((e) => e.event.type === 'done'))).toBe(false);

      const signalled = performance.now();
      const exited = serverA.stop('SIGTERM').then(() => performance.now());
      // Not ready at once, while still up and serving other requests.
      await expect
        .poll(() => readyz(serverA.url))
        .toEqual({
          status: 503,
          text: 'not ready: this server is shutting down\n',
        });
      const [refused, thread] = await Promise.all([
        rawStream(serverA.url, { threadId }, { headers: { authorization: `Bearer ${token}` } }),
        clientOf(serverA.url, token).trpc.thread.get.query({ threadId }),
      ]);
      expect(refused.outcome).toBe('SERVICE_UNAVAILABLE');
      expect(refused.text).toContain('this server is shutting down: reconnect and resume from the last event id');
      expect(thread.threadId).toBe(threadId);
      expect(serverA.child.exitCode).toBeNull();

      await Promise.all(followers.map((f) => f.finished));
      const exitedAt = await exited;
      expect(serverA.child.exitCode).toBe(0);
      expect(exitedAt - signalled).toBeLessThan(TIMEOUT_MS);
      expect(serverA.output()).not.toContain('deadline passed');

      // Each stream ended once by the drain, at a time of its own across the window.
      const firstDrops = followers.map((f) => f.drops[0] as number);
      expect(firstDrops.every((at) => at >= signalled)).toBe(true);
      expect(Math.max(...firstDrops) - Math.min(...firstDrops)).toBeGreaterThanOrEqual(SPREAD_MS * 0.5);
      await expect.poll(() => balancer.openTo(portB)).toBeGreaterThanOrEqual(followers.length);
      for (const follower of followers) {
        follower.stop();
        expectExactlyOnce(follower.events);
      }
      // A said goodbye to Redis: none of its connections is left.
      const left = new Set(await redisAddrs(admin));
      expect(connectionsOfA.filter((addr) => left.has(addr))).toEqual([]);
    } finally {
      admin.disconnect();
    }
  }, 90_000);
});

describe('a server that loses Redis', () => {
  it('turns unready, ends its open streams with a retryable error instead of hanging, and recovers', async () => {
    // Persistent: the thread is still there when Redis comes back.
    await using redis = await startRedisServer({ persistent: true });
    const env = {
      ...baseEnv,
      REDIS_URL: redis.url,
      EMBEDDED_WORKER: '1',
      REDIS_LOSS_GRACE_MS: '300',
      SHUTDOWN_SPREAD_MS: '200',
    };
    await using server: AppProcess = await startServerProcess(env);
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => {});
    try {
      await expect.poll(() => readyz(server.url)).toEqual({ status: 200, text: 'ready\n' });
      const { api, token } = await signIn(server.url, 'unlucky');
      const authorization = { authorization: `Bearer ${token}` };
      const { threadId } = await api.trpc.thread.create.mutate({});
      const open = rawStream(server.url, { threadId }, { headers: authorization, timeoutMs: 20_000 });
      await expect.poll(() => channelSubscribers(admin, threadChannel(threadId))).toBe(1);

      await redis.kill();
      await expect.poll(() => readyz(server.url)).toMatchObject({ status: 503 });
      expect((await readyz(server.url)).text).toMatch(/^not ready: redis is unreachable/);
      const ended = await open;
      expect(ended.outcome).toBe('SERVICE_UNAVAILABLE');
      expect(ended.text).toContain('reconnect and resume from the last event id');
      const refused = await rawStream(server.url, { threadId }, { headers: authorization });
      expect(refused.outcome).toBe('SERVICE_UNAVAILABLE');

      await redis.start();
      await expect.poll(() => readyz(server.url)).toEqual({ status: 200, text: 'ready\n' });
      const follower = follow(api, threadId);
      await expect.poll(() => follower.live()).toBe(true);
      await api.trpc.run.start.mutate({ threadId, prompt: 'back again' });
      await follower.finished;
      follower.stop();
      expectExactlyOnce(follower.events);
    } finally {
      admin.disconnect();
    }
  }, 60_000);
});
