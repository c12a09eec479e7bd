/** Slots `first` to `last`, both included. */
export type SlotRange = readonly [first: number, last: number];

export const CLUSTER_SLOTS = 16_384;

/** One node of a Redis Cluster as a live node sees it (`CLUSTER NODES`). */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'primary' | 'replica';
  /** The slots a primary serves (empty for a replica, and for a primary that serves none). */
  slots: SlotRange[];
  /** The id of the primary a replica follows (null for a primary). */
  primaryId: string | null;
  /** Whether the node that answered suspects (`fail?`) or has agreed (`fail`) that this one is down. */
  failing: boolean;
}

/** What a health check also needs: which line is the answering node itself, and whether its link is up. */
export interface ClusterNodeView extends ClusterNodeInfo {
  myself: boolean;
  connected: boolean;
}

/**
 * Parses a `CLUSTER NODES` reply. Lines of nodes still in the handshake (a temporary random id) are left
 * out, and so are the `[slot->-id]` / `[slot-<-id]` entries of a slot being migrated: the slot still belongs
 * to the node whose range lists it.
 */
export function parseClusterNodes(reply: string): ClusterNodeView[] {
  const nodes: ClusterNodeView[] = [];
  for (const line of reply.split('\n')) {
    const [id, address, flagList, primary, , , , link, ...slotFields] = line.trim().split(' ');
    if (!id || !address || !flagList || !primary || !link) continue;
    const flags = flagList.split(',');
    if (flags.includes('handshake') || flags.includes('noaddr')) continue;
    const port = Number(/:(\d+)@/.exec(address)?.[1]);
    const replica = flags.includes('slave');
    nodes.push({
      id,
      port,
      role: replica ? 'replica' : 'primary',
      slots: slotFields.filter((field) => !field.startsWith('[')).map(parseSlotRange),
      primaryId: replica && primary !== '-' ? primary : null,
      failing: flags.includes('fail') || flags.includes('fail?'),
      myself: flags.includes('myself'),
      connected: link === 'connected',
    });
  }
  return nodes;
}

function parseSlotRange(field: string): SlotRange {
  const [first, last = first] = field.split('-').map(Number) as [number, number?];
  return [first, last];
}

/** The primary serving `slot` in `nodes`, if any. */
export function ownerOfSlot<T extends ClusterNodeInfo>(nodes: readonly T[], slot: number): T | undefined {
  return nodes.find(
    (node) => node.role === 'primary' && node.slots.some(([first, last]) => slot >= first && slot <= last),
  );
}

/** The public part of a node's line. */
export function toNodeInfo({ id, port, role, slots, primaryId, failing }: ClusterNodeView): ClusterNodeInfo {
  return { id, port, role, slots, primaryId, failing };
}
