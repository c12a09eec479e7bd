import { infoField, redisCommand } from './redis-admin.ts';
import { CLUSTER_SLOTS, type ClusterNodeView, parseClusterNodes } from './redis-cluster-nodes.ts';

export interface ClusterReading {
  /** What keeps the cluster from being settled, or null when it is. */
  problem: string | null;
  /** The first running node's view. */
  view: ClusterNodeView[];
}

/**
 * Reads a cluster from its running nodes (their ports). Settled: every running node says cluster_state:ok with
 * every slot served, sees every other running node up, and agrees with the others on who serves which slots
 * and who follows whom; every running replica has finished syncing (a replica still in its first sync would
 * not take over from its primary).
 */
export async function readCluster(running: readonly number[]): Promise<ClusterReading> {
  const ports = new Set(running);
  const readings = await Promise.all(
    running.map(async (port) => {
      const [info, nodes] = await Promise.all([
        redisCommand(port, 'CLUSTER', 'INFO'),
        redisCommand(port, 'CLUSTER', 'NODES'),
      ]);
      return { port, info, view: parseClusterNodes(String(nodes)) };
    }),
  );
  const view = readings[0]?.view ?? [];
  const settle = (problem: string | null) => ({ problem, view });
  let agreed: string | undefined;
  for (const { port, info, view: seen } of readings) {
    const state = infoField(info, 'cluster_state');
    if (state !== 'ok') return settle(`127.0.0.1:${port} says cluster_state:${state}`);
    const slotsOk = infoField(info, 'cluster_slots_ok');
    if (slotsOk !== String(CLUSTER_SLOTS)) return settle(`127.0.0.1:${port} serves ${slotsOk} slots`);
    const peers = seen.filter((node) => ports.has(node.port));
    const down = peers.find((node) => node.failing || !node.connected);
    if (down) return settle(`127.0.0.1:${port} sees 127.0.0.1:${down.port} as down`);
    if (peers.length < ports.size) return settle(`127.0.0.1:${port} does not know every running node yet`);
    const layout = describeLayout(peers);
    if (agreed !== undefined && layout !== agreed) return settle(`nodes disagree: ${agreed} | ${layout}`);
    agreed = layout;
  }
  for (const replica of view.filter((node) => node.role === 'replica' && ports.has(node.port))) {
    const info = await redisCommand(replica.port, 'INFO', 'replication');
    if (infoField(info, 'master_link_status') !== 'up' || infoField(info, 'master_sync_in_progress') !== '0')
      return settle(`replica 127.0.0.1:${replica.port} has not finished syncing`);
  }
  return settle(null);
}

function describeLayout(nodes: ClusterNodeView[]): string {
  const portOf = new Map(nodes.map((node) => [node.id, node.port]));
  return [...nodes]
    .sort((a, b) => a.port - b.port)
    .map((node) =>
      node.role === 'primary'
        ? `${node.port}:${node.slots.map((range) => range.join('-')).join(',')}`
        : `${node.port}->${portOf.get(node.primaryId ?? '') ?? node.primaryId}`,
    )
    .join(' ');
}
