import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartedProcess, startProcess } from './child-process.ts';
import { freePort } from './free-port.ts';
import { infoField, redisCommand, waitUntil } from './redis-admin.ts';

export interface RedisSentinelOptions {
  /** The name the sentinels monitor the primary under (default `threadcast`). */
  name?: string;
  /**
   * `down-after-milliseconds`: how long the primary may be unreachable before a failover starts (default 5000: a
   * loaded 2-core machine can starve a node for 2 s, and a failover nobody asked for would break the test).
   */
  downAfterMs?: number;
}

export interface RedisAddress {
  host: string;
  port: number;
}

export interface SentinelFailover {
  /** The primary that was killed (it stays down until `startNode`). */
  killedPort: number;
  /** The replica the sentinels promoted. */
  primary: RedisAddress;
}

export interface TestRedisSentinel extends AsyncDisposable {
  readonly name: string;
  /** `127.0.0.1:<port>` of each of the three sentinels. */
  readonly sentinels: string[];
  /** The ports of the two data nodes, the first started as the primary. */
  readonly nodePorts: number[];
  /** The primary's address as the sentinels give it to clients (`SENTINEL GET-MASTER-ADDR-BY-NAME`). */
  primary(): Promise<RedisAddress>;
  /** Kills the primary (SIGKILL) and resolves once every sentinel reports the promoted replica as the primary. */
  killPrimary(): Promise<SentinelFailover>;
  /** Starts a killed data node again; resolves once the sentinels have made it a synced replica of the primary. */
  startNode(port: number): Promise<void>;
  stop(): Promise<void>;
}

/** Failovers take 6–7 s with `down-after-milliseconds` 5000; a returning node is reconfigured 8–10 s after it is back. */
const SETTLE_TIMEOUT_MS = 30_000;
const READY_LINE = /Ready to accept connections/;
/** A sentinel prints no "Ready" line: this one comes once it listens and has read its configuration. */
const SENTINEL_READY_LINE = /\+monitor master/;
const SENTINELS = 3;

/** Starts a process on a free port, retrying with another port if the chosen one was taken in between. */
async function launchOnFreePort(ready: RegExp, spawn: (port: number) => Promise<StartedProcess>) {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const proc = await spawn(port);
    try {
      await proc.waitForLine(ready, 15_000);
      return { port, proc };
    } catch (error) {
      lastError = error;
      await proc.stop('SIGKILL');
    }
  }
  throw lastError;
}

interface DataNode {
  port: number;
  dir: string;
  /** The primary it was started as a replica of (none for the first primary): it starts so again. */
  primaryPort: number | undefined;
  proc: StartedProcess;
}

function spawnDataNode({ port, dir, primaryPort }: Omit<DataNode, 'proc'>): StartedProcess {
  return startProcess('redis-server', [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    // A replica's full sync starts at once, instead of waiting 5 s for more replicas to share the transfer.
    ...['--repl-diskless-sync-delay', '0', '--protected-mode', 'yes'],
    ...(primaryPort === undefined ? [] : ['--replicaof', '127.0.0.1', String(primaryPort)]),
  ]);
}

async function launchDataNode(root: string, primaryPort?: number): Promise<DataNode> {
  const { port, proc } = await launchOnFreePort(READY_LINE, async (port) => {
    await mkdir(join(root, String(port)), { recursive: true });
    return spawnDataNode({ port, dir: join(root, String(port)), primaryPort });
  });
  return { port, dir: join(root, String(port)), primaryPort, proc };
}

async function spawnSentinel(port: number, root: string, name: string, primaryPort: number, downAfterMs: number) {
  const dir = join(root, `sentinel-${port}`);
  await mkdir(dir, { recursive: true });
  // The sentinel rewrites this file as it learns the replicas and the other sentinels.
  const conf = join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  return startProcess('redis-server', [conf, '--sentinel']);
}

/** A `SENTINEL REPLICAS` / `SENTINEL SENTINELS` entry: a flat list of field names and values. */
function fields(entry: unknown): Map<string, string> {
  const list = (entry as string[]).map(String);
  return new Map(list.flatMap((value, index) => (index % 2 === 0 ? [[value, list[index + 1] ?? '']] : [])));
}

/**
 * Up as far as a failover goes: a sentinel promotes no replica it flags down or disconnected. Its idea of the
 * replica's role and link may lag: it reads them with INFO, only every 10 s while the primary is up.
 */
const isUp = (entry: Map<string, string>) => !/s_down|o_down|disconnected/.test(entry.get('flags') ?? '');

/**
 * Starts a primary, a replica and three sentinels (quorum 2) as real `redis-server` processes on free loopback
 * ports (never the shared 6379). Resolves once the replica has synced and every sentinel knows the replica and
 * the two other sentinels: until then a failover could not happen.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<TestRedisSentinel> {
  const name = options.name ?? 'threadcast';
  const downAfterMs = options.downAfterMs ?? 5_000;
  if (!/^[\w.-]+$/.test(name))
    throw new RangeError(`a monitored name is letters, digits, '_', '.' or '-' (got ${name})`);

  const root = await mkdtemp(join(tmpdir(), 'threadcast-redis-sentinel-'));
  const nodes: DataNode[] = [];
  const sentinels: { port: number; proc: StartedProcess }[] = [];
  const isRunning = ({ proc }: { proc: StartedProcess }) =>
    proc.child.exitCode === null && proc.child.signalCode === null;
  const nodeAt = (port: number) => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (!node) throw new RangeError(`no data node of this set listens on port ${port}`);
    return node;
  };

  const sentinelPort = () => (sentinels[0] as { port: number }).port;
  const askSentinel = (port: number, ...args: (string | number)[]) => redisCommand(port, 'SENTINEL', ...args);
  const primaryAccordingTo = async (port: number): Promise<RedisAddress> => {
    const [host, primaryPort] = (await askSentinel(port, 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
    return { host, port: Number(primaryPort) };
  };
  const runningReplicas = (primaryPort: number) => nodes.filter((node) => isRunning(node) && node.port !== primaryPort);

  /** What keeps the running replicas from taking over from `primaryPort`, or null when nothing does. */
  const replicationProblem = async (primaryPort: number): Promise<string | null> => {
    for (const { port } of runningReplicas(primaryPort)) {
      const info = await redisCommand(port, 'INFO', 'replication');
      if (infoField(info, 'role') !== 'slave' || infoField(info, 'master_port') !== String(primaryPort))
        return `127.0.0.1:${port} is not a replica of 127.0.0.1:${primaryPort} yet`;
      if (infoField(info, 'master_link_status') !== 'up' || infoField(info, 'master_sync_in_progress') !== '0')
        return `replica 127.0.0.1:${port} has not finished syncing`;
    }
    return null;
  };
  /** What keeps the sentinels from failing `primaryPort` over (they must agree and see the replicas), or null. */
  const sentinelProblem = async (primaryPort: number): Promise<string | null> => {
    const replicaPorts = new Set(runningReplicas(primaryPort).map(({ port }) => String(port)));
    for (const { port } of sentinels) {
      const at = `sentinel 127.0.0.1:${port}`;
      if ((await primaryAccordingTo(port)).port !== primaryPort) return `${at} reports another primary`;
      const flags = fields(await askSentinel(port, 'MASTER', name)).get('flags');
      if (flags !== 'master') return `${at} flags the primary ${flags}`;
      const replicas = ((await askSentinel(port, 'REPLICAS', name)) as unknown[]).map(fields);
      const known = replicas.filter((entry) => isUp(entry) && replicaPorts.has(entry.get('port') ?? ''));
      if (known.length < replicaPorts.size) return `${at} sees ${known.length} of ${replicaPorts.size} replicas up`;
      const peers = ((await askSentinel(port, 'SENTINELS', name)) as unknown[]).map(fields).filter(isUp);
      if (peers.length < SENTINELS - 1) return `${at} sees ${peers.length} other sentinels up`;
    }
    return null;
  };
  const failoverProblem = async () => {
    const { port } = await primaryAccordingTo(sentinelPort());
    return (await replicationProblem(port)) ?? (await sentinelProblem(port));
  };
  const stop = async () => {
    // Sentinels first, so that none reacts to the data nodes going away.
    await Promise.all(sentinels.map(({ proc }) => proc.stop('SIGKILL')));
    await Promise.all(nodes.map(({ proc }) => proc.stop('SIGKILL')));
    await rm(root, { recursive: true, force: true });
  };

  try {
    const primary = await launchDataNode(root);
    nodes.push(primary);
    nodes.push(await launchDataNode(root, primary.port));
    // The replica first, so that the sentinels' first INFO of the primary lists it: the next comes 10 s later.
    await waitUntil('the replica syncs', () => replicationProblem(primary.port), SETTLE_TIMEOUT_MS);
    for (let index = 0; index < SENTINELS; index += 1)
      sentinels.push(
        await launchOnFreePort(SENTINEL_READY_LINE, (port) =>
          spawnSentinel(port, root, name, primary.port, downAfterMs),
        ),
      );
    await waitUntil('the sentinels know the replica and each other', failoverProblem, SETTLE_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name,
    sentinels: sentinels.map(({ port }) => `127.0.0.1:${port}`),
    nodePorts: nodes.map(({ port }) => port),
    primary: () => primaryAccordingTo(sentinelPort()),
    async killPrimary() {
      await waitUntil('the sentinels are ready to fail over', failoverProblem, SETTLE_TIMEOUT_MS);
      const { port: killedPort } = await primaryAccordingTo(sentinelPort());
      if (runningReplicas(killedPort).length === 0)
        throw new Error(`the primary 127.0.0.1:${killedPort} has no running replica to take over (startNode first)`);
      await nodeAt(killedPort).proc.stop('SIGKILL');
      let promoted: RedisAddress = { host: '', port: 0 };
      await waitUntil(
        `the sentinels promote a replica of 127.0.0.1:${killedPort}`,
        async () => {
          const reported = await Promise.all(sentinels.map(({ port }) => primaryAccordingTo(port)));
          const ports = new Set(reported.map(({ port }) => port));
          if (ports.has(killedPort)) return 'a sentinel still reports the killed primary';
          if (ports.size > 1) return `the sentinels disagree: ${[...ports].join(', ')}`;
          promoted = reported[0] as RedisAddress;
          const [role] = (await redisCommand(promoted.port, 'ROLE')) as [string];
          return role === 'master' ? null : `127.0.0.1:${promoted.port} answers ROLE ${role}`;
        },
        SETTLE_TIMEOUT_MS,
      );
      return { killedPort, primary: promoted };
    },
    async startNode(port) {
      const node = nodeAt(port);
      if (!isRunning(node)) {
        node.proc = spawnDataNode(node);
        await node.proc.waitForLine(READY_LINE, 15_000);
      }
      await waitUntil(`the sentinels make 127.0.0.1:${port} a replica again`, failoverProblem, SETTLE_TIMEOUT_MS);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
