import { startRedisSentinel, type TestRedisSentinel } from '@threadcast/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeDeliveryContract } from './testing/delivery-suite.ts';
import { type Fleet, startFleet, stopFleet, throughFault } from './testing/topology-faults.ts';

// Delivery under Sentinel (a primary, a replica, three sentinels): the suite every engine passes, then a failover.

let started: Promise<TestRedisSentinel> | null = null;
const sentinel = () => {
  started ??= startRedisSentinel();
  return started;
};
const address = (hostPort: string) => ({ host: '127.0.0.1', port: Number(hostPort.split(':')[1]) });

afterAll(async () => {
  await (await started)?.stop();
});

async function sentinelEnv(): Promise<Record<string, string>> {
  const set = await sentinel();
  return { REDIS_SENTINELS: set.sentinels.join(','), REDIS_SENTINEL_NAME: set.name };
}

describeDeliveryContract(
  'Redis Sentinel',
  async () => {
    const set = await sentinel();
    return {
      env: await sentinelEnv(),
      redis: { kind: 'sentinel', name: set.name, sentinels: set.sentinels.map(address) },
      // The set outlives the suite: the failover below uses it.
      stop: async () => {},
    };
  },
  { killedServerClients: 40, killedServerRunWords: 1_200, slowReaderEvents: 4_000 },
);

describe('delivery through a Sentinel failover', () => {
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    fleet = await startFleet(await sentinelEnv());
  }, 90_000);

  afterAll(async () => {
    await stopFleet(fleet);
  });

  it('keeps 20 clients exact while the primary is killed and Sentinel promotes the replica', async () => {
    const set = await sentinel();
    await throughFault(fleet as Fleet, 'sentinel failover', async () => {
      await set.killPrimary();
    });
  }, 120_000);
});
