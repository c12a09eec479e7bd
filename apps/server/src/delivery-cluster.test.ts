import { startRedisCluster, startWorkerProcess, type TestRedisCluster } from '@threadcast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDeliveryContract } from './testing/delivery-suite.ts';
import { type Fleet, startFleet, stopFleet, throughFault } from './testing/topology-faults.ts';

// Delivery on a Redis Cluster (3 primaries, 3 replicas): the suite every engine passes, then the cluster's faults.

let started: Promise<TestRedisCluster> | null = null;
const cluster = () => {
  started ??= startRedisCluster();
  return started;
};
const clusterEnv = async () => ({ REDIS_CLUSTER_NODES: (await cluster()).seeds.join(',') });

afterAll(async () => {
  await (await started)?.stop();
});

describeDeliveryContract(
  'Redis Cluster',
  async () => {
    const { seeds } = await cluster();
    return {
      env: await clusterEnv(),
      redis: { kind: 'cluster', nodes: seeds.map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })) },
      // The cluster outlives the suite: the faults below use it.
      stop: async () => {},
    };
  },
  { killedServerClients: 40, killedServerRunWords: 1_200, slowReaderEvents: 4_000 },
);

describe('delivery through Redis Cluster faults', () => {
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    fleet = await startFleet(await clusterEnv());
  }, 90_000);

  afterAll(async () => {
    await stopFleet(fleet);
  });

  it('keeps 20 clients exact while the primary of a run is killed and its replica takes over', async () => {
    const redis = await cluster();
    let killed = 0;
    await throughFault(fleet as Fleet, 'cluster primary killed', async (threadIds) => {
      killed = (await redis.failoverPrimaryOf(await redis.slotOf(threadIds[0] as string))).killedPort;
    });
    // Back as a replica of the promoted node, for the faults after this one.
    await redis.startNode(killed);
  }, 120_000);

  it("keeps 20 clients exact while a run's slot migrates to another primary", async () => {
    const redis = await cluster();
    const resets = await throughFault(fleet as Fleet, 'cluster slot migrated', async (threadIds) => {
      const slot = await redis.slotOf(threadIds[0] as string);
      const owner = await redis.primaryForSlot(slot);
      const other = (await redis.nodes()).find((node) => node.role === 'primary' && node.port !== owner.port);
      if (!other) throw new Error('no other primary');
      await redis.migrateSlot(slot, other.port);
    });
    // A migration moves keys synchronously: nothing is lost, so nobody is told to start over.
    expect(resets).toBe(0);
  }, 120_000);

  it('keeps 20 clients exact through a full cluster restart', async () => {
    const redis = await cluster();
    await throughFault(fleet as Fleet, 'cluster restarted', () => redis.restartAll());
  }, 120_000);
  // Last: it leaves the cluster down.
  it('lets a worker stop on SIGTERM while the whole cluster is down, instead of waiting for it', async () => {
    const redis = await cluster();
    const worker = await startWorkerProcess({ ...(await clusterEnv()), LEGACY_BRIDGE: '1' });
    await expect.poll(() => worker.output().includes('taking runs')).toBe(true);
    for (const node of await redis.nodes()) await redis.killNode(node.port);
    // stop() sends SIGKILL if the worker is not gone 10 s after SIGTERM: exit code 0 means it stopped by itself
    // (every wait on Redis during shutdown is bounded, where one used to hang for ever).
    await worker.stop('SIGTERM');
    expect(worker.child.exitCode).toBe(0);
  }, 60_000);
});
