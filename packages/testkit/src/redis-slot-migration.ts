import { redisCommand, withRedis } from './redis-admin.ts';
import { type ClusterNodeInfo, ownerOfSlot } from './redis-cluster-nodes.ts';

/** Keys moved per MIGRATE, as `redis-cli --cluster reshard` does by default (`--cluster-pipeline 10`). */
const KEYS_PER_BATCH = 10;
const MIGRATE_TIMEOUT_MS = 10_000;

/**
 * Moves `slot` from the primary serving it to the primary on `toPort` while clients keep using it, the way
 * `redis-cli --cluster reshard` does: the target imports and the source migrates the slot (a client asking
 * the source for a key already moved is sent on with -ASK), the keys go over in batches, then the target,
 * the source and every other primary are told the slot's new owner. `primaries` are the running primaries.
 */
export async function moveSlot(slot: number, primaries: readonly ClusterNodeInfo[], toPort: number): Promise<void> {
  const source = ownerOfSlot(primaries, slot);
  const target = primaries.find((node) => node.port === toPort);
  if (!source) throw new Error(`no running primary serves slot ${slot}`);
  if (!target) throw new Error(`127.0.0.1:${toPort} is not a running primary of this cluster`);
  if (source.port === target.port) return;

  await redisCommand(target.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id);
  await redisCommand(source.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
  await withRedis(source.port, async (redis) => {
    for (;;) {
      // Buffers, so that a key that is not valid UTF-8 is moved as it is.
      const keys = (await redis.callBuffer('CLUSTER', ['GETKEYSINSLOT', slot, KEYS_PER_BATCH])) as Buffer[];
      if (keys.length === 0) return;
      await redis.callBuffer('MIGRATE', ['127.0.0.1', target.port, '', 0, MIGRATE_TIMEOUT_MS, 'KEYS', ...keys]);
    }
  });
  // The target first: it then owns the slot with a new config epoch, which wins wherever gossip carries it.
  await redisCommand(target.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
  await redisCommand(source.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
  const others = primaries.filter((node) => node.port !== source.port && node.port !== target.port);
  await Promise.all(others.map((node) => redisCommand(node.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id)));
}
