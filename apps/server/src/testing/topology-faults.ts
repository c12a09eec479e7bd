import { type AppProcess, type StartedProcess, startServerProcess, startWorkerProcess } from '@threadcast/testkit';
import { expect } from 'vitest';
import { clientOf, expectExactlyOnce, type Follower, follow, longPrompt, signIn } from './followers.ts';

/**
 * The faults a Redis Cluster or a Sentinel set exists to survive, each applied mid-run with 20 clients on four runs
 * served by two servers and a worker: every client must end with every event once, in order, or be told `reset`
 * first (a thread last written by a primary that was replaced may lack the events that primary acknowledged
 * last). How many runs needed a reset is printed for each fault.
 */

const topologyEnv = {
  AUTH_SECRET: 'topologies-test-secret-long-enough-for-hs256',
  AUTH_DEV_LOGIN: '1',
  AGENT_TOKEN_DELAY_MS: '8',
  SSE_HEARTBEAT_MS: '1000',
  HISTORY_LIMIT: '20000',
  STREAMS_PER_USER: '1000',
  // Above the longest failover: on a loaded machine a killed primary's shard took up to about 9 s to serve again
  // (a 5 s node timeout, then the election), and every process's reaper ends a run whose lease was not renewed
  // for RUN_LEASE_MS (docs/deploy.md: keep it above your failover time).
  RUN_LEASE_MS: '30000',
};

const RUNS = 4;
const FOLLOWERS_PER_RUN = 5;

export interface Fleet {
  servers: AppProcess[];
  worker: StartedProcess;
}

export async function startFleet(redisEnv: Record<string, string>): Promise<Fleet> {
  const env = { ...topologyEnv, ...redisEnv };
  const [a, b, worker] = await Promise.all([startServerProcess(env), startServerProcess(env), startWorkerProcess(env)]);
  return { servers: [a, b], worker };
}

export async function stopFleet(fleet: Fleet | undefined): Promise<void> {
  if (!fleet) return;
  await Promise.all([...fleet.servers.map((server) => server.stop()), fleet.worker.stop()]);
}

/**
 * Starts RUNS runs, each followed by FOLLOWERS_PER_RUN clients spread over both servers, applies `fault` once every
 * client has tokens, and checks each client once its run is done. Returns how many runs had a client told `reset`.
 */
export async function throughFault(
  fleet: Fleet,
  label: string,
  fault: (threadIds: string[]) => Promise<void>,
): Promise<number> {
  const [a, b] = fleet.servers as [AppProcess, AppProcess];
  const { api, token } = await signIn(a.url, `topologies-${label.replace(/\W+/g, '-')}`);
  const threadIds = await Promise.all(
    Array.from({ length: RUNS }, async () => (await api.trpc.thread.create.mutate({})).threadId),
  );
  const followers: Follower[][] = threadIds.map((threadId) =>
    Array.from({ length: FOLLOWERS_PER_RUN }, (_, i) => follow(clientOf((i % 2 === 0 ? a : b).url, token), threadId)),
  );
  const all = followers.flat();
  await expect.poll(() => all.every((f) => f.live()), { timeout: 30_000 }).toBe(true);
  await Promise.all(threadIds.map((threadId) => api.trpc.run.start.mutate({ threadId, prompt: longPrompt(900) })));
  await expect.poll(() => all.every((f) => f.tokens() >= 5), { timeout: 30_000 }).toBe(true);
  expect(all.some((f) => f.events.some((e) => e.event.type === 'done'))).toBe(false);
  await fault(threadIds);
  await Promise.all(all.map((f) => f.finished));
  // A client told `reset` after its run ended (its server resubscribed once the failover was over) is sent what
  // is retained again, ending with the same `done`: wait for that end before checking.
  const unfinished = () =>
    all.flatMap((f, i) =>
      f.events.at(-1)?.event.type === 'done'
        ? []
        : [`client ${i} (${f.events.length} events, live: ${f.live()}) ends ${JSON.stringify(f.events.slice(-3))}`],
    );
  await expect.poll(unfinished, { timeout: 30_000 }).toEqual([]);
  let runsReset = 0;
  let clientsWithLoss = 0;
  for (const run of followers) {
    let reset = false;
    for (const follower of run) {
      follower.stop();
      const told = follower.events.some((e) => e.event.type === 'status' && e.event.content.state === 'reset');
      if (expectExactlyOnce(follower.events, { expectReset: told }) > 0) clientsWithLoss += 1;
      reset ||= told;
    }
    if (reset) runsReset += 1;
  }
  console.info(
    `${label}: ${runsReset} of ${RUNS} runs needed a reset (${RUNS * FOLLOWERS_PER_RUN} clients; ${clientsWithLoss} replayed without events the failover lost)`,
  );
  return runsReset;
}
