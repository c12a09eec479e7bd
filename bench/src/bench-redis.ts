import type { RedisTarget } from '@threadcast/bus/redis';
import { busKeys } from '@threadcast/bus/redis-names';
import { startRedisCluster, startRedisServer } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { type RedisConnections, redisConnectionsOf } from './redis-admin.ts';

/** Where a variant's server keeps its data: one Redis, or a Redis Cluster of 1 or 3 primaries (no replicas). */
export type RedisDeploymentId = 'single' | 'cluster1' | 'cluster3';

const CLUSTER_PRIMARIES: Record<Exclude<RedisDeploymentId, 'single'>, number> = { cluster1: 1, cluster3: 3 };

/**
 * A Redis the bench started for itself, with a plain admin connection to each node that serves data (every
 * primary of a cluster): what a step reads there (subscribers, connections, CPU) is summed over the nodes.
 */
export class BenchRedis {
  private constructor(
    readonly id: RedisDeploymentId,
    /** What the bench's publisher (`RedisEventBus`) is given. */
    readonly target: RedisTarget,
    /** What our server is given: `REDIS_URL` or `REDIS_CLUSTER_NODES`. */
    readonly serverEnv: Readonly<Record<string, string>>,
    private readonly admins: readonly Redis[],
    private readonly stopNodes: () => Promise<void>,
  ) {}

  /** Starts it on free ports, with `maxclients` raised to `maxClients` on every node. */
  static async start(id: RedisDeploymentId, maxClients: number): Promise<BenchRedis> {
    let bench: BenchRedis;
    if (id === 'single') {
      const redis = await startRedisServer();
      const admins = [new Redis(redis.url, { connectionName: 'bench-admin' })];
      bench = new BenchRedis(id, { kind: 'single', url: redis.url }, { REDIS_URL: redis.url }, admins, redis.stop);
    } else {
      // In memory only, as the single Redis is: an append-only file would put disk writes on every publish.
      const cluster = await startRedisCluster({
        primaries: CLUSTER_PRIMARIES[id],
        replicasPerPrimary: 0,
        appendOnly: false,
      });
      const primaries = (await cluster.nodes()).filter((node) => node.role === 'primary');
      const admins = primaries.map((node) => new Redis(node.port, '127.0.0.1', { connectionName: 'bench-admin' }));
      const nodes = primaries.map((node) => ({ host: '127.0.0.1', port: node.port }));
      const env = { REDIS_CLUSTER_NODES: cluster.seeds.join(',') };
      bench = new BenchRedis(id, { kind: 'cluster', nodes }, env, admins, cluster.stop);
    }
    try {
      // Redis's default of 10,000 clients would cap the seed baseline (one connection per stream) before its own fd limit does.
      await Promise.all(bench.admins.map((admin) => admin.config('SET', 'maxclients', String(maxClients))));
    } catch (error) {
      await bench.stop();
      throw error;
    }
    return bench;
  }

  get cluster(): boolean {
    return this.target.kind === 'cluster';
  }

  get nodeCount(): number {
    return this.admins.length;
  }

  /** Where the run's processes find it, for the progress line. */
  describe(): string {
    return Object.values(this.serverEnv).join('');
  }

  /** A thread's live channel as our server subscribes it: `thread:<id>`, on a cluster the shard channel `thread:{<id>}`. */
  channel(threadId: string): string {
    return busKeys(undefined, undefined, this.cluster).channel(threadId);
  }

  /** Subscribers of each channel over every node: PUBSUB NUMSUB, or SHARDNUMSUB on a cluster (each node counts its own). */
  async subscriberCounts(channels: string[]): Promise<number[]> {
    const kind = this.cluster ? 'SHARDNUMSUB' : 'NUMSUB';
    const replies = await Promise.all(
      this.admins.map((admin) => admin.call('PUBSUB', kind, ...channels) as Promise<(string | number)[]>),
    );
    return channels.map((_, i) => replies.reduce((sum, reply) => sum + Number(reply[2 * i + 1] ?? 0), 0));
  }

  /** The connections `pid` holds to any node. */
  connectionsOf(pid: number): Promise<RedisConnections> {
    return redisConnectionsOf(this.admins, pid);
  }

  /** CPU seconds (user + system, `INFO CPU`) each node has used since it started. */
  async cpuSeconds(): Promise<number[]> {
    const infos = await Promise.all(this.admins.map((admin) => admin.info('cpu')));
    const read = (info: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return infos.map((info) => read(info, 'used_cpu_user') + read(info, 'used_cpu_sys'));
  }

  async stop(): Promise<void> {
    for (const admin of this.admins) admin.disconnect();
    await this.stopNodes();
  }
}
