import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { infoField, redisCommand } from './redis-admin.ts';
import { startRedisSentinel, type TestRedisSentinel } from './redis-sentinel.ts';
import { uniquePrefix } from './unique-prefix.ts';

/** A client that finds the primary through the sentinels, and looks again soon after losing it. */
function connect(set: TestRedisSentinel): Redis & AsyncDisposable {
  const client = new Redis({
    name: set.name,
    sentinels: set.sentinels.map((address) => {
      const [host, port] = address.split(':') as [string, string];
      return { host, port: Number(port) };
    }),
    retryStrategy: () => 100,
    maxRetriesPerRequest: 100,
  });
  // Refused connections while a node is down are expected; a command that gives up fails the test itself.
  client.on('error', () => {});
  return Object.assign(client, { [Symbol.asyncDispose]: async () => client.disconnect() });
}

describe('startRedisSentinel', () => {
  it('promotes the replica when the primary is killed, keeps replicated writes, and takes the old primary back as a replica', async () => {
    await using set = await startRedisSentinel();
    expect(set.sentinels).toHaveLength(3);
    const before = await set.primary();
    expect(before).toEqual({ host: '127.0.0.1', port: set.nodePorts[0] });

    await using client = connect(set);
    const key = uniquePrefix('sentinel');
    await client.set(key, 'kept');
    expect(await client.wait(1, 10_000)).toBe(1);

    const { killedPort, primary } = await set.killPrimary();
    expect(killedPort).toBe(before.port);
    expect(primary).toEqual({ host: '127.0.0.1', port: set.nodePorts[1] });
    expect(await set.primary()).toEqual(primary);
    expect(await client.get(key)).toBe('kept');

    await set.startNode(killedPort);
    const info = await redisCommand(killedPort, 'INFO', 'replication');
    expect(infoField(info, 'role')).toBe('slave');
    expect(infoField(info, 'master_port')).toBe(String(primary.port));
    expect(await redisCommand(killedPort, 'GET', key)).toBe('kept');

    // Back as a synced replica, it can take over in turn.
    const second = await set.killPrimary();
    expect(second).toEqual({ killedPort: primary.port, primary: before });
    expect(await client.get(key)).toBe('kept');
  });
});
