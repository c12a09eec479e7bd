import { startRedisServer, startServerProcess, startWorkerProcess } from '@threadcast/testkit';
import { describe, expect, it } from 'vitest';
import { deliveryBaseEnv, describeDeliveryContract } from './testing/delivery-suite.ts';
import { expectExactlyOnce, follow, longPrompt, type Received, signIn } from './testing/followers.ts';

describeDeliveryContract('one Redis', async () => {
  const redis = await startRedisServer();
  return { env: { REDIS_URL: redis.url }, redis: redis.url, stop: () => redis.stop() };
});

describe('delivery while redis-server restarts', () => {
  async function runThroughRedisRestart(persistent: boolean): Promise<Received[]> {
    await using redis = await startRedisServer({ persistent });
    const env = { ...deliveryBaseEnv, REDIS_URL: redis.url };
    await using server = await startServerProcess(env);
    await using worker = await startWorkerProcess(env);
    void worker;
    const { api } = await signIn(server.url, 'through-restart');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(1500) });
    await expect.poll(() => follower.tokens(), { timeout: 20_000 }).toBeGreaterThanOrEqual(30);
    expect(follower.events.some((e) => e.event.type === 'done')).toBe(false);
    await redis.restart();
    await follower.finished;
    follower.stop();
    return follower.events;
  }

  it('loses and repeats nothing when Redis comes back with its data', async () => {
    expectExactlyOnce(await runThroughRedisRestart(true));
  }, 60_000);

  it('says `reset` and continues when Redis comes back empty', async () => {
    expectExactlyOnce(await runThroughRedisRestart(false), { expectReset: true });
  }, 60_000);
});
