import type { ActivityEvent } from '@threadcast/contract';
import { startRedisServer, startServerProcess, startWorkerProcess } from '@threadcast/testkit';
import type { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './test-server.ts';
import { clientOf, signIn } from './testing/followers.ts';
import { scrape } from './testing/metrics.ts';
import { errorFrameRead, rawStream } from './testing/raw-sse.ts';

/** `thread.onActivity`, a subscription built on streamProcedure: live thread lists across tabs, devices and servers. */

type Client = ReturnType<typeof clientOf>;

interface Watcher {
  seen: { id: string; activity: ActivityEvent }[];
  /** What arrived, without the times, as `kind [title|state]`. */
  kinds(): string[];
  live(): boolean;
  error: Promise<TRPCClientError<never>>;
  stop(): void;
}

function watchActivity(client: Client, lastEventId: string | null = null): Watcher {
  const seen: Watcher['seen'] = [];
  let live = false;
  let fail: (error: TRPCClientError<never>) => void = () => {};
  const error = new Promise<TRPCClientError<never>>((resolve) => {
    fail = resolve;
  });
  const subscription = client.trpc.thread.onActivity.subscribe(
    { lastEventId },
    {
      onStarted: () => {
        live = true;
      },
      onData: ({ id, data }) => seen.push({ id, activity: data }),
      onError: (failure) => fail(failure as TRPCClientError<never>),
    },
  );
  return {
    seen,
    kinds: () =>
      seen.map(({ activity }) =>
        activity.kind === 'run'
          ? `run ${activity.state}`
          : activity.kind === 'reset'
            ? 'reset'
            : `${activity.kind} ${activity.title}`,
      ),
    live: () => live,
    error,
    stop: () => subscription.unsubscribe(),
  };
}

describe('thread.onActivity', () => {
  it("tells a user of their threads' changes as they happen, names a thread from its first prompt, and nobody else", async () => {
    await using server = await startTestServer({ tokenDelayMs: 1 });
    const alice = await signIn(server.url, 'alice');
    const bob = await signIn(server.url, 'bob');
    const aliceTab = watchActivity(alice.api);
    const otherTab = watchActivity(clientOf(server.url, alice.token));
    const bobTab = watchActivity(bob.api);
    await expect.poll(() => aliceTab.live() && otherTab.live() && bobTab.live()).toBe(true);

    const { threadId } = await alice.api.trpc.thread.create.mutate({});
    await alice.api.trpc.run.start.mutate({ threadId, prompt: 'What is on the shopping list?' });
    await expect.poll(() => aliceTab.kinds().includes('run done')).toBe(true);
    const renamed = await alice.api.trpc.thread.rename.mutate({ threadId, title: 'Groceries' });
    expect(renamed).toMatchObject({ threadId, title: 'Groceries' });
    const expected = [
      'created New thread',
      'run queued',
      'renamed What is on the shopping list?',
      'run running',
      'run done',
      'renamed Groceries',
    ];
    await expect.poll(() => aliceTab.kinds()).toEqual(expected);
    await expect.poll(() => otherTab.kinds()).toEqual(expected);
    expect(aliceTab.seen.every(({ activity }) => activity.kind === 'reset' || activity.threadId === threadId)).toBe(
      true,
    );
    expect((await alice.api.trpc.thread.list.query()).map((thread) => thread.title)).toEqual(['Groceries']);

    // Bob's own change reaches Bob, after none of Alice's.
    await bob.api.trpc.thread.create.mutate({ title: 'mine' });
    await expect.poll(() => bobTab.kinds()).toEqual(['created mine']);
    // A second run does not rename the thread again, and Bob cannot rename Alice's thread.
    await alice.api.trpc.run.start.mutate({ threadId, prompt: 'and the bakery?' });
    await expect.poll(() => aliceTab.kinds().filter((kind) => kind === 'run done').length).toBe(2);
    expect(aliceTab.kinds().filter((kind) => kind.startsWith('renamed'))).toHaveLength(2);
    await expect(bob.api.trpc.thread.rename.mutate({ threadId, title: 'stolen' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(alice.api.trpc.thread.rename.mutate({ threadId, title: ' ' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    for (const tab of [aliceTab, otherTab, bobTab]) tab.stop();
  });

  it('resumes after its last event id exactly once, and refuses a malformed one', async () => {
    await using server = await startTestServer();
    const { api } = await signIn(server.url, 'resumer');
    const first = watchActivity(api);
    await expect.poll(() => first.live()).toBe(true);
    const names = ['one', 'two', 'three', 'four'];
    for (const title of names.slice(0, 2)) await api.trpc.thread.create.mutate({ title });
    await expect.poll(() => first.seen.length).toBe(2);
    first.stop();
    const lastEventId = first.seen[1]?.id as string;
    for (const title of names.slice(2)) await api.trpc.thread.create.mutate({ title });
    const resumed = watchActivity(api, lastEventId);
    await expect.poll(() => resumed.kinds()).toEqual(['created three', 'created four']);
    resumed.stop();
    const bad = watchActivity(api, 'yesterday');
    expect(await bad.error).toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it('takes a STREAMS_PER_USER slot, ends when the token expires, and is counted under its path in /metrics', async () => {
    await using server = await startTestServer({ apiLimits: { streamsPerUser: 1 } });
    const { api, token } = await signIn(server.url, 'counted');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const watcher = watchActivity(api);
    await expect.poll(() => watcher.live()).toBe(true);
    await expect
      .poll(async () => (await scrape(server.url)).value('threadcast_streams_open', { procedure: 'thread.onActivity' }))
      .toBe(1);
    const refused = await rawStream(server.url, { threadId }, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.outcome).toBe('TOO_MANY_REQUESTS');
    await api.trpc.thread.rename.mutate({ threadId, title: 'counted' });
    await expect
      .poll(async () =>
        (await scrape(server.url)).value('threadcast_events_delivered_total', { procedure: 'thread.onActivity' }),
      )
      .toBe(1);
    watcher.stop();
    await expect.poll(() => server.gate.size).toBe(0);

    const { token: brief } = await server.tokens.issue({ id: 'brief', name: 'Brief' }, { ttlSeconds: 1 });
    const expiring = watchActivity(clientOf(server.url, brief));
    expect(await expiring.error).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('carries a worker’s run states to another server, and is drained on SIGTERM with a retryable error', async () => {
    await using redis = await startRedisServer();
    const env = {
      REDIS_URL: redis.url,
      AUTH_SECRET: 'activity-test-secret-long-enough-for-hs256',
      AUTH_DEV_LOGIN: '1',
      AGENT_TOKEN_DELAY_MS: '1',
      SHUTDOWN_SPREAD_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '15000',
    };
    const [serverA, serverB, worker] = await Promise.all([
      startServerProcess(env),
      startServerProcess(env),
      startWorkerProcess(env),
    ]);
    await using _processes = {
      [Symbol.asyncDispose]: () => Promise.all([serverA, serverB, worker].map((p) => p.stop())).then(() => {}),
    };
    const { api, token } = await signIn(serverA.url, 'roaming');
    const onB = watchActivity(clientOf(serverB.url, token));
    await expect.poll(() => onB.live()).toBe(true);
    const { threadId } = await api.trpc.thread.create.mutate({ title: 'far away' });
    await api.trpc.run.start.mutate({ threadId, prompt: 'hello' });
    await expect.poll(() => onB.kinds()).toEqual(['created far away', 'run queued', 'run running', 'run done']);
    onB.stop();

    const draining = rawStream(
      serverB.url,
      {},
      {
        headers: { authorization: `Bearer ${token}` },
        path: 'thread.onActivity',
        until: errorFrameRead,
        timeoutMs: 30_000,
      },
    );
    await expect
      .poll(async () =>
        (await scrape(serverB.url)).value('threadcast_streams_open', { procedure: 'thread.onActivity' }),
      )
      .toBe(1);
    const exited = serverB.stop('SIGTERM');
    const drained = await draining;
    expect(drained.outcome).toBe('SERVICE_UNAVAILABLE');
    expect(drained.text).toContain('this server is shutting down: reconnect and resume from the last event id');
    await exited;
    expect(serverB.child.exitCode).toBe(0);
  }, 90_000);
});
