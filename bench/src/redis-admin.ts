import { tcpConnectionsOf } from '@threadcast/testkit';
import type { Redis } from 'ioredis';

/** Connections one process holds to Redis: in all, and by connection name (`CLIENT SETNAME`, '' when unnamed). */
export interface RedisConnections {
  total: number;
  byName: Record<string, number>;
}

const field = (line: string, name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1];
const portOf = (address: string | undefined) => Number(address?.slice(address.lastIndexOf(':') + 1));

/**
 * The connections to the nodes behind `admins` whose client side is a socket of `pid`: CLIENT LIST entries whose
 * `addr` and `laddr` ports are the two ends of one of its sockets. Both ends, because two processes may each use
 * the same local port for a connection to a different node of a cluster.
 */
export async function redisConnectionsOf(admins: readonly Redis[], pid: number): Promise<RedisConnections> {
  const [lists, sockets] = await Promise.all([
    Promise.all(admins.map((admin) => admin.client('LIST') as Promise<string>)),
    tcpConnectionsOf(pid),
  ]);
  const ends = new Set(sockets.map((socket) => `${socket.localPort}>${socket.remotePort}`));
  const connections: RedisConnections = { total: 0, byName: {} };
  for (const line of lists.flatMap((list) => list.split('\n'))) {
    if (!ends.has(`${portOf(field(line, 'addr'))}>${portOf(field(line, 'laddr'))}`)) continue;
    const name = field(line, 'name') ?? '';
    connections.byName[name] = (connections.byName[name] ?? 0) + 1;
    connections.total += 1;
  }
  return connections;
}

/** How many connections `pid` holds to the Redis behind `admin`. */
export async function countRedisConnectionsOf(admin: Redis, pid: number): Promise<number> {
  return (await redisConnectionsOf([admin], pid)).total;
}

/**
 * Resolves once every channel has at least `wanted(channel)` Redis subscribers, or after `timeoutMs`
 * (returns false). Polls `count` (PUBSUB NUMSUB or SHARDNUMSUB): a server that subscribes after its
 * `connected` frame (the seed) gives no other sign that it is ready.
 */
export async function waitForSubscribers(
  count: (channels: string[]) => Promise<number[]>,
  wanted: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...wanted.keys()];
  while (pending.length > 0) {
    const still: string[] = [];
    for (let i = 0; i < pending.length; i += 1_000) {
      const batch = pending.slice(i, i + 1_000);
      const counts = await count(batch);
      batch.forEach((channel, j) => {
        if ((counts[j] ?? 0) < (wanted.get(channel) ?? 0)) still.push(channel);
      });
    }
    pending = still;
    if (pending.length === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
