import type { RedisTarget } from '@threadcast/bus/redis';
import { describeStoreContract } from '@threadcast/store/contract-suite';
import {
  freePort,
  startRedisCluster,
  startRedisSentinel,
  type TestRedisCluster,
  type TestRedisSentinel,
  uniquePrefix,
} from '@threadcast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from './open-backend.ts';

// The stores on a Redis Cluster and under Sentinel: the same contract as on one Redis, with no cross-slot command.

let cluster: TestRedisCluster;
let sentinel: TestRedisSentinel;
beforeAll(async () => {
  [cluster, sentinel] = await Promise.all([startRedisCluster({ replicasPerPrimary: 0 }), startRedisSentinel()]);
}, 90_000);
afterAll(async () => {
  await Promise.all([cluster?.stop(), sentinel?.stop()]);
});

const address = (hostPort: string) => ({ host: '127.0.0.1', port: Number(hostPort.split(':')[1]) });
const clusterTarget = (): RedisTarget => ({ kind: 'cluster', nodes: cluster.seeds.slice(0, 2).map(address) });
const sentinelTarget = (): RedisTarget => ({
  kind: 'sentinel',
  name: sentinel.name,
  sentinels: sentinel.sentinels.map(address),
});

describeStoreContract('redis cluster backend', async () => {
  const keyPrefix = uniquePrefix();
  return [openBackend({ redis: clusterTarget(), keyPrefix }), openBackend({ redis: clusterTarget(), keyPrefix })];
});

describeStoreContract('redis sentinel backend', async () => {
  const keyPrefix = uniquePrefix();
  return [openBackend({ redis: sentinelTarget(), keyPrefix }), openBackend({ redis: sentinelTarget(), keyPrefix })];
});

describe('openBackend on a cluster or a Sentinel set', () => {
  it('says which it is, and verifies at start that it answers', async () => {
    for (const redis of [clusterTarget(), sentinelTarget()]) {
      const backend = openBackend({ redis, keyPrefix: uniquePrefix(), legacyBridge: false });
      try {
        expect(backend.topology).toBe(redis.kind);
        await backend.verify(20_000);
        await expect.poll(() => backend.readiness(), { timeout: 20_000 }).toEqual({ ready: true });
      } finally {
        await backend.close();
      }
    }
  }, 60_000);

  it('fails verification in words when the cluster, the sentinels or the primary set named do not answer', async () => {
    const nobody = await freePort();
    const cases: [RedisTarget, RegExp][] = [
      [
        { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: nobody }] },
        new RegExp(`could not reach the redis cluster 127\\.0\\.0\\.1:${nobody} within 1500 ms`),
      ],
      [
        { kind: 'sentinel', name: 'nosuchset', sentinels: sentinel.sentinels.map(address) },
        /could not reach the redis primary "nosuchset" under sentinels .* within 1500 ms/,
      ],
    ];
    for (const [redis, message] of cases) {
      const backend = openBackend({ redis, keyPrefix: uniquePrefix(), legacyBridge: false });
      try {
        await expect(backend.verify(1_500)).rejects.toThrow(message);
      } finally {
        await backend.close();
      }
    }
  }, 30_000);
});
