import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type StartedProcess, startProcess } from './child-process.ts';
import { freePort } from './free-port.ts';
import { redisCommand, waitUntil } from './redis-admin.ts';
import { readCluster } from './redis-cluster-health.ts';
import {
  CLUSTER_SLOTS,
  type ClusterNodeInfo,
  type ClusterNodeView,
  ownerOfSlot,
  parseClusterNodes,
  toNodeInfo,
} from './redis-cluster-nodes.ts';
import { moveSlot } from './redis-slot-migration.ts';

export type { ClusterNodeInfo, SlotRange } from './redis-cluster-nodes.ts';

export interface RedisClusterOptions {
  /**
   * Primaries, each serving an equal share of the slots (default 3). One primary serves all 16,384 slots: a
   * real cluster (cluster mode, MOVED, sharded pub/sub) with no second primary, so none of its failures can be
   * voted on: `failoverPrimaryOf` needs 3 or more.
   */
  primaries?: number;
  /** Replicas following each primary (default 1). */
  replicasPerPrimary?: number;
  /**
   * `cluster-node-timeout`: how long a node may be unreachable before the others start a failover (default 5000: a
   * loaded 2-core machine can starve a node for 2 s, and a failover nobody asked for would break the test).
   */
  nodeTimeoutMs?: number;
  /**
   * Keep data in an append-only file (default true), so that `startNode` and `restartAll` bring it back. False
   * keeps it in memory only, as a benchmark wants (no disk writes on the path of each command).
   */
  appendOnly?: boolean;
}

export interface ClusterFailover {
  /** The primary that was killed (it stays down until `startNode`). */
  killedPort: number;
  /** The replica that took its slots over. */
  promotedPort: number;
}

export interface TestRedisCluster extends AsyncDisposable {
  /** `127.0.0.1:<port>` of every node, running or not: the startup nodes for a cluster client. */
  readonly seeds: string[];
  /** Every node as a running node sees it (`CLUSTER NODES`). */
  nodes(): Promise<ClusterNodeInfo[]>;
  /** The primary serving `slot` now. */
  primaryForSlot(slot: number): Promise<ClusterNodeInfo>;
  /** The slot of `key` (`CLUSTER KEYSLOT`). */
  slotOf(key: string): Promise<number>;
  /** Kills a node (SIGKILL: no goodbye to clients or to the other nodes) and leaves it down. */
  killNode(port: number): Promise<void>;
  /** Starts a killed node again on its port with its `nodes.conf` (and data, unless `appendOnly: false`); resolves once it has rejoined. */
  startNode(port: number): Promise<void>;
  /** Kills the primary serving `slot` and resolves once one of its replicas serves its slots. */
  failoverPrimaryOf(slot: number): Promise<ClusterFailover>;
  /** Moves `slot` to the primary on `toPrimaryPort` while the cluster serves it, as `redis-cli --cluster reshard` does. */
  migrateSlot(slot: number, toPrimaryPort: number): Promise<void>;
  /** Stops every node gracefully and starts them all again; resolves once every slot is served. */
  restartAll(): Promise<void>;
  stop(): Promise<void>;
}

/** Failovers take 6–8 s and a restart a few seconds with `cluster-node-timeout` 5000: room for a loaded machine. */
const SETTLE_TIMEOUT_MS = 30_000;
const READY_LINE = /Ready to accept connections/;

interface ClusterNodeProcess {
  port: number;
  busPort: number;
  dir: string;
  proc: StartedProcess | null;
}

const isRunning = (node: ClusterNodeProcess) =>
  node.proc !== null && node.proc.child.exitCode === null && node.proc.child.signalCode === null;

interface NodeSettings {
  nodeTimeoutMs: number;
  appendOnly: boolean;
}

function spawnNode(node: ClusterNodeProcess, settings: NodeSettings): StartedProcess {
  // The bus port is chosen too: the default, port + 10000, may be taken or past 65535.
  return startProcess('redis-server', [
    ...['--port', String(node.port), '--cluster-port', String(node.busPort), '--bind', '127.0.0.1'],
    // A node learns its own address from the peers that meet it: a lone primary would give clients an empty host.
    ...['--cluster-announce-ip', '127.0.0.1'],
    ...['--cluster-enabled', 'yes', '--cluster-config-file', join(node.dir, 'nodes.conf')],
    ...['--cluster-node-timeout', String(settings.nodeTimeoutMs), '--dir', node.dir, '--save', ''],
    // Data survives a restart: SIGTERM flushes the append-only file, a SIGKILL loses at most the last second.
    ...['--appendonly', settings.appendOnly ? 'yes' : 'no', '--appendfsync', 'everysec', '--protected-mode', 'yes'],
    // A replica's full sync starts at once, instead of waiting 5 s for more replicas to share the transfer.
    ...['--repl-diskless-sync-delay', '0'],
  ]);
}

/** Starts one empty node on free ports, retrying with other ports if the chosen ones were taken in between. */
async function launchNode(root: string, settings: NodeSettings): Promise<ClusterNodeProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    let busPort = await freePort();
    while (busPort === port) busPort = await freePort();
    const node: ClusterNodeProcess = { port, busPort, dir: join(root, String(port)), proc: null };
    await mkdir(node.dir, { recursive: true });
    node.proc = spawnNode(node, settings);
    try {
      await node.proc.waitForLine(READY_LINE, 15_000);
      return node;
    } catch (error) {
      lastError = error;
      await node.proc.stop('SIGKILL');
      await rm(node.dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

/** Joins the empty nodes with `redis-cli --cluster create`: the first nodes become the primaries. */
async function createCluster(nodes: ClusterNodeProcess[], replicasPerPrimary: number): Promise<void> {
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes'];
  try {
    await promisify(execFile)('redis-cli', args, { timeout: SETTLE_TIMEOUT_MS });
  } catch (error) {
    // redis-cli says what went wrong on stdout.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`redis-cli --cluster create failed: ${stdout}${stderr}`, { cause: error });
  }
}

/**
 * What `redis-cli --cluster create` refuses to do with fewer than 3 primaries, by hand: the first node takes
 * every slot, the others meet it and follow it.
 */
async function createSinglePrimary([primary, ...replicas]: ClusterNodeProcess[]): Promise<void> {
  if (!primary) throw new Error('no node to make the primary');
  await redisCommand(primary.port, 'CLUSTER', 'ADDSLOTSRANGE', 0, CLUSTER_SLOTS - 1);
  if (replicas.length === 0) return;
  const primaryId = String(await redisCommand(primary.port, 'CLUSTER', 'MYID'));
  for (const replica of replicas)
    await redisCommand(replica.port, 'CLUSTER', 'MEET', '127.0.0.1', primary.port, primary.busPort);
  // CLUSTER REPLICATE fails until the replica has learnt of the primary through the handshake.
  await waitUntil(
    'every replica knows the primary',
    async () => {
      for (const replica of replicas) {
        const view = parseClusterNodes(String(await redisCommand(replica.port, 'CLUSTER', 'NODES')));
        if (!view.some((node) => node.id === primaryId)) return `127.0.0.1:${replica.port} does not know it yet`;
      }
      return null;
    },
    SETTLE_TIMEOUT_MS,
  );
  for (const replica of replicas) await redisCommand(replica.port, 'CLUSTER', 'REPLICATE', primaryId);
}

/**
 * Starts a Redis Cluster of real `redis-server` processes on free loopback ports (never the shared 6379):
 * `primaries` primaries with `replicasPerPrimary` replicas each, joined by `redis-cli --cluster create` (by hand
 * for a single primary).
 * Resolves once every slot is served and every replica has synced, so that a failover can happen at once.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicasPerPrimary = options.replicasPerPrimary ?? 1;
  const settings: NodeSettings = {
    nodeTimeoutMs: options.nodeTimeoutMs ?? 5_000,
    appendOnly: options.appendOnly ?? true,
  };
  if (!Number.isInteger(primaries) || primaries < 1)
    throw new RangeError(`a cluster needs at least 1 primary (got ${primaries})`);
  if (!Number.isInteger(replicasPerPrimary) || replicasPerPrimary < 0)
    throw new RangeError(`replicasPerPrimary must be a whole number >= 0 (got ${replicasPerPrimary})`);

  const root = await mkdtemp(join(tmpdir(), 'threadcast-redis-cluster-'));
  const all: ClusterNodeProcess[] = [];
  const running = () => all.filter(isRunning);
  const nodeAt = (port: number) => {
    const node = all.find((candidate) => candidate.port === port);
    if (!node) throw new RangeError(`no node of this cluster listens on port ${port}`);
    return node;
  };
  const anyRunning = () => {
    const node = running()[0];
    if (!node) throw new Error('no node of this cluster is running');
    return node;
  };
  /** Waits until the cluster is settled (see `readCluster`) and `also` finds nothing wrong with its view. */
  const settle = async (what: string, also: (view: ClusterNodeView[]) => string | null = () => null) => {
    let view: ClusterNodeView[] = [];
    await waitUntil(
      what,
      async () => {
        const reading = await readCluster(running().map((node) => node.port));
        view = reading.view;
        return also(view) ?? reading.problem;
      },
      SETTLE_TIMEOUT_MS,
    );
    return view;
  };
  const startProcessOf = async (node: ClusterNodeProcess) => {
    if (isRunning(node)) return;
    node.proc = spawnNode(node, settings);
    await node.proc.waitForLine(READY_LINE, 15_000);
  };
  // Replicas first: a primary stopped while its replicas run could be failed over, or wait for them to catch up.
  const stopAll = async (signal: NodeJS.Signals) => {
    const replicaPorts = new Set<number>();
    if (signal === 'SIGTERM' && running().length > 0) {
      const view = parseClusterNodes(String(await redisCommand(anyRunning().port, 'CLUSTER', 'NODES')));
      for (const node of view) if (node.role === 'replica') replicaPorts.add(node.port);
    }
    const stopEach = (nodes: ClusterNodeProcess[]) => Promise.all(nodes.map((node) => node.proc?.stop(signal)));
    await stopEach(all.filter((node) => replicaPorts.has(node.port)));
    await stopEach(all.filter((node) => !replicaPorts.has(node.port)));
  };
  const stop = async () => {
    await stopAll('SIGKILL');
    await rm(root, { recursive: true, force: true });
  };

  try {
    for (let index = 0; index < primaries * (1 + replicasPerPrimary); index += 1)
      all.push(await launchNode(root, settings));
    if (primaries === 1) await createSinglePrimary(all);
    else await createCluster(all, replicasPerPrimary);
    await settle('the new cluster serves every slot');
  } catch (error) {
    await stop();
    throw error;
  }

  const nodes = async () =>
    parseClusterNodes(String(await redisCommand(anyRunning().port, 'CLUSTER', 'NODES'))).map(toNodeInfo);
  const killNode = async (port: number) => {
    await nodeAt(port).proc?.stop('SIGKILL');
  };
  return {
    seeds: all.map((node) => `127.0.0.1:${node.port}`),
    nodes,
    async primaryForSlot(slot) {
      const owner = ownerOfSlot(await nodes(), slot);
      if (!owner) throw new Error(`no primary serves slot ${slot}`);
      return owner;
    },
    async slotOf(key) {
      return Number(await redisCommand(anyRunning().port, 'CLUSTER', 'KEYSLOT', key));
    },
    killNode,
    async startNode(port) {
      await startProcessOf(nodeAt(port));
      await settle(`127.0.0.1:${port} rejoins the cluster`);
    },
    async failoverPrimaryOf(slot) {
      const view = await settle(`the cluster is ready to fail over slot ${slot}`);
      const primary = ownerOfSlot(view, slot);
      if (!primary) throw new Error(`no primary serves slot ${slot}`);
      if (!view.some((node) => node.primaryId === primary.id && isRunning(nodeAt(node.port))))
        throw new Error(`the primary 127.0.0.1:${primary.port} of slot ${slot} has no replica to take over`);
      await killNode(primary.port);
      const after = await settle(`a replica of 127.0.0.1:${primary.port} takes slot ${slot} over`, (seen) =>
        ownerOfSlot(seen, slot)?.port === primary.port ? `slot ${slot} is still assigned to the killed primary` : null,
      );
      return { killedPort: primary.port, promotedPort: ownerOfSlot(after, slot)?.port ?? 0 };
    },
    async migrateSlot(slot, toPrimaryPort) {
      const view = await settle(`the cluster is ready to move slot ${slot}`);
      const primaries = view.filter((node) => node.role === 'primary' && isRunning(nodeAt(node.port)));
      await moveSlot(slot, primaries, toPrimaryPort);
      await settle(`every node sees slot ${slot} at 127.0.0.1:${toPrimaryPort}`, (seen) =>
        ownerOfSlot(seen, slot)?.port === toPrimaryPort ? null : `slot ${slot} has not moved yet`,
      );
    },
    async restartAll() {
      await stopAll('SIGTERM');
      await Promise.all(all.map(startProcessOf));
      await settle('the restarted cluster serves every slot');
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
