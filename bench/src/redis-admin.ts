import { localTcpPorts } from '@threadcast/testkit';
import type { Redis } from 'ioredis';

/** Connections Redis holds whose client side is a socket of `pid` (CLIENT LIST `addr` port ∈ pid's ports). */
export async function countRedisConnectionsOf(admin: Redis, pid: number): Promise<number> {
  const [list, ports] = await Promise.all([admin.client('LIST') as Promise<string>, localTcpPorts(pid)]);
  let count = 0;
  for (const line of list.split('\n')) {
    const addr = /(?:^| )addr=\S+:(\d+) /.exec(line)?.[1];
    if (addr && ports.has(Number(addr))) count += 1;
  }
  return count;
}

/**
 * Resolves once every channel has at least `wanted(channel)` Redis subscribers, or after `timeoutMs`
 * (returns false). Polls PUBSUB NUMSUB: a server that subscribes after its `connected` frame (the seed)
 * gives no other sign that it is ready.
 */
export async function waitForSubscribers(
  admin: Redis,
  wanted: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...wanted.keys()];
  while (pending.length > 0) {
    const still: string[] = [];
    for (let i = 0; i < pending.length; i += 1_000) {
      const batch = pending.slice(i, i + 1_000);
      const reply = (await admin.call('PUBSUB', 'NUMSUB', ...batch)) as (string | number)[];
      for (let j = 0; j < reply.length; j += 2) {
        const channel = String(reply[j]);
        if (Number(reply[j + 1]) < (wanted.get(channel) ?? 0)) still.push(channel);
      }
    }
    pending = still;
    if (pending.length === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
