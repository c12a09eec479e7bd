import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCommand } from './redis-admin.ts';
import { startRedisCluster, type TestRedisCluster } from './redis-cluster.ts';
import { uniquePrefix } from './unique-prefix.ts';

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

/** A cluster client that rides out a failover (ioredis gives up after about 1.4 s by default). */
function connect(): Cluster & AsyncDisposable {
  const client = new Cluster(cluster.seeds, {
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    maxRedirections: 100,
    redisOptions: { maxRetriesPerRequest: 100 },
  });
  // Refused connections while a node is down are expected; a command that gives up fails the test itself.
  client.on('error', () => {});
  return Object.assign(client, { [Symbol.asyncDispose]: async () => client.disconnect() });
}

/** Sets `key` and waits until a replica has it, so that a failover cannot lose it. */
async function setReplicated(client: Cluster, key: string, value: string, slot: number): Promise<void> {
  await client.set(key, value);
  const { port } = await cluster.primaryForSlot(slot);
  const primary = client.nodes('master').find((node) => node.options.port === port);
  // WAIT counts the writes of its own connection: the one the SET went through.
  await expect(primary?.wait(1, 10_000)).resolves.toBe(1);
}

describe('startRedisCluster', () => {
  it('starts primaries serving every slot, each followed by a replica', async () => {
    const nodes = await cluster.nodes();
    expect(cluster.seeds).toHaveLength(6);
    const primaries = nodes.filter((node) => node.role === 'primary');
    expect(primaries).toHaveLength(3);
    const served = primaries.flatMap((node) => node.slots).reduce((sum, [first, last]) => sum + last - first + 1, 0);
    expect(served).toBe(16_384);
    for (const primary of primaries)
      expect(nodes.filter((node) => node.primaryId === primary.id).map((node) => node.role)).toEqual(['replica']);
    expect(await cluster.slotOf('{user1000}.following')).toBe(await cluster.slotOf('user1000'));
  });

  it('moves a slot to another primary while a client keeps writing to it', async () => {
    await using client = connect();
    const tag = `{${uniquePrefix('move')}}`;
    const slot = await cluster.slotOf(tag);
    const source = await cluster.primaryForSlot(slot);
    const target = (await cluster.nodes()).find((node) => node.role === 'primary' && node.port !== source.port);
    if (!target) throw new Error('no other primary');
    for (let index = 0; index < 50; index += 1) await client.set(`${tag}:${index}`, String(index));

    let writing = true;
    let written = 50;
    const writer = (async () => {
      while (writing) {
        await client.set(`${tag}:${written}`, String(written));
        written += 1;
      }
    })();
    await cluster.migrateSlot(slot, target.port);
    writing = false;
    await writer;

    expect((await cluster.primaryForSlot(slot)).port).toBe(target.port);
    expect(Number(await redisCommand(target.port, 'CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe(written);
    expect(Number(await redisCommand(source.port, 'CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe(0);
    const keys = Array.from({ length: written }, (_, index) => `${tag}:${index}`);
    expect(await client.mget(keys)).toEqual(keys.map((_, index) => String(index)));
  });

  it('keeps a replicated key when the primary serving it is killed, and takes the old primary back', async () => {
    await using client = connect();
    const key = uniquePrefix('failover');
    const slot = await cluster.slotOf(key);
    await setReplicated(client, key, 'kept', slot);

    const { killedPort, promotedPort } = await cluster.failoverPrimaryOf(slot);
    expect((await cluster.primaryForSlot(slot)).port).toBe(promotedPort);
    expect(await client.get(key)).toBe('kept');

    await cluster.startNode(killedPort);
    const nodes = await cluster.nodes();
    const promoted = nodes.find((node) => node.port === promotedPort);
    expect(nodes.find((node) => node.port === killedPort)).toMatchObject({ role: 'replica', primaryId: promoted?.id });
  });

  it('keeps its data and its slots across a restart of every node', async () => {
    const key = uniquePrefix('restart');
    const slot = await cluster.slotOf(key);
    {
      await using client = connect();
      await client.set(key, 'persisted');
    }
    const before = (await cluster.primaryForSlot(slot)).port;

    await cluster.restartAll();

    expect((await cluster.primaryForSlot(slot)).port).toBe(before);
    await using client = connect();
    expect(await client.get(key)).toBe('persisted');
  });
});

describe('startRedisCluster with one primary', () => {
  it('is reached by a cluster client through its one node', async () => {
    await using lone = await startRedisCluster({ primaries: 1, replicasPerPrimary: 0, appendOnly: false });
    expect(lone.seeds).toHaveLength(1);
    const client = new Cluster(lone.seeds);
    try {
      const key = uniquePrefix('lone');
      await client.set(key, 'served');
      expect(await client.get(key)).toBe('served');
    } finally {
      client.disconnect();
    }
  });

  it('serves every slot from one node, followed by its replica, as a cluster client sees it', async () => {
    await using single = await startRedisCluster({ primaries: 1, replicasPerPrimary: 1, appendOnly: false });
    const nodes = await single.nodes();
    const [primary, ...others] = nodes.filter((node) => node.role === 'primary');
    expect(others).toEqual([]);
    expect(primary?.slots).toEqual([[0, 16_383]]);
    expect(nodes.filter((node) => node.role === 'replica').map((node) => node.primaryId)).toEqual([primary?.id]);

    const client = new Cluster(single.seeds);
    try {
      const keys = ['{a}', '{b}', '{c}'].map((tag) => `${tag}:${uniquePrefix('one')}`);
      for (const key of keys) await client.set(key, key);
      expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys);
      expect(client.nodes('master').map((node) => node.options.port)).toEqual([primary?.port]);
    } finally {
      client.disconnect();
    }
  });
});
