import { fileURLToPath } from 'node:url';
import {
  type AppProcessOptions,
  findServingPid,
  type StartedProcess,
  startProcess,
  startServerProcess,
  WAIT_TIMEOUT_MS,
} from '@threadcast/testkit';
import type { RedisDeploymentId } from './bench-redis.ts';

export type VariantId =
  | 'ours'
  | 'ours-cluster1'
  | 'ours-cluster3'
  | 'trpc'
  | 'seed'
  | 'pubsub'
  | 'node-floor'
  | 'redis-floor';

export interface ServerSettings {
  /** The single Redis, which every variant but ours on a cluster uses. */
  redisUrl: string;
  /** `REDIS_CLUSTER_NODES` of each cluster the run started. */
  clusterNodes?: Partial<Record<Exclude<RedisDeploymentId, 'single'>, string>>;
  authSecret: string;
  heartbeatMs: number;
  /** How our server runs: from source through tsx (default) or the build with plain node (`--from=build`). */
  from?: AppProcessOptions['from'];
}

export interface RunningServer {
  url: string;
  /** The process that serves (below any tsx launcher): measured for RSS, CPU and Redis connections. */
  pid: number;
  stop(): Promise<void>;
}

export interface Variant {
  id: VariantId;
  label: string;
  /** The Redis its server (or, for the Redis floor, the load generator) uses. */
  redis: RedisDeploymentId;
  /** Runs unless `--variants` leaves it out; the others run only when `--variants` names them. */
  byDefault: boolean;
  /** Streams need a Bearer token (our server); the baselines have no auth. */
  authenticated: boolean;
  /**
   * How the bench publishes to it: `bus`, our bus's `publish` (history, idempotency, one script call per event), as
   * our worker does; `bare`, a plain `PUBLISH` that stores nothing (the at-most-once baseline).
   */
  publishes: 'bus' | 'bare';
  /** Redis subscriptions on a thread's channel per open stream: the seed holds one each, the others share one. */
  redisSubscriptionPerStream: boolean;
  /** File descriptors the server holds per stream: its socket, and for the seed a Redis connection too. */
  fdsPerStream: number;
  /** Null for the Redis floor, which has no server: the load generator subscribes to Redis itself. */
  start: ((settings: ServerSettings) => Promise<RunningServer>) | null;
}

const benchDir = fileURLToPath(new URL('..', import.meta.url));

function redisEnv(redis: RedisDeploymentId, settings: ServerSettings): Record<string, string> {
  if (redis === 'single') return { REDIS_URL: settings.redisUrl };
  const nodes = settings.clusterNodes?.[redis];
  if (!nodes) throw new Error(`no ${redis} Redis Cluster was started for this run`);
  return { REDIS_CLUSTER_NODES: nodes };
}

function ourServer(redis: RedisDeploymentId) {
  return async (settings: ServerSettings): Promise<RunningServer> => {
    const server = await startServerProcess(
      {
        ...redisEnv(redis, settings),
        AUTH_SECRET: settings.authSecret,
        AUTH_DEV_LOGIN: '1',
        SSE_HEARTBEAT_MS: String(settings.heartbeatMs),
        STREAMS_PER_USER: '100000',
        STREAMS_PER_SERVER: '100000',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
      },
      { from: settings.from },
    );
    try {
      await whenReady(server.url);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return withServingPid(server, server.url);
  };
}

/**
 * Like a load balancer, sends no stream before `/readyz` says yes: a server listens before its Redis connections
 * are up, and until then it refuses streams (with a retryable error a real client would retry).
 */
async function whenReady(url: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function baselineServer(file: string, options: { waitForReady?: boolean } = {}) {
  return async (settings: ServerSettings): Promise<RunningServer> => {
    const server = startProcess(process.execPath, ['--import', 'tsx', file], {
      cwd: benchDir,
      env: {
        ...process.env,
        REDIS_URL: settings.redisUrl,
        AUTH_SECRET: settings.authSecret,
        SSE_HEARTBEAT_MS: String(settings.heartbeatMs),
        PORT: '0',
        NODE_ENV: 'production',
      },
    });
    try {
      const [, url] = (await server.waitForLine(/listening at (http:\/\/\S+)/)) as [string, string];
      if (options.waitForReady) await whenReady(url);
      return withServingPid(server, url);
    } catch (error) {
      await server.stop();
      throw error;
    }
  };
}

async function withServingPid(server: StartedProcess, url: string): Promise<RunningServer> {
  const rootPid = server.child.pid;
  if (rootPid === undefined) throw new Error(`server at ${url} has no pid`);
  return { url, pid: await findServingPid(rootPid), stop: () => server.stop() };
}

function oursOn(redis: Exclude<RedisDeploymentId, 'single'>): Variant {
  return {
    id: `ours-${redis}`,
    label: `ours, ${redis}`,
    redis,
    byDefault: false,
    authenticated: true,
    publishes: 'bus',
    redisSubscriptionPerStream: false,
    fdsPerStream: 1,
    start: ourServer(redis),
  };
}

/** In table order: ours, ours on a Redis Cluster, then the baselines from the heaviest to the floors. */
export const variants: readonly Variant[] = [
  {
    id: 'ours',
    label: 'ours',
    redis: 'single',
    byDefault: true,
    authenticated: true,
    publishes: 'bus',
    redisSubscriptionPerStream: false,
    fdsPerStream: 1,
    start: ourServer('single'),
  },
  oursOn('cluster1'),
  oursOn('cluster3'),
  {
    id: 'trpc',
    label: 'stock tRPC',
    redis: 'single',
    byDefault: true,
    authenticated: true,
    publishes: 'bus',
    redisSubscriptionPerStream: false,
    fdsPerStream: 1,
    start: baselineServer('baselines/stock-trpc-server.ts', { waitForReady: true }),
  },
  {
    id: 'seed',
    label: 'seed baseline',
    redis: 'single',
    byDefault: true,
    authenticated: false,
    publishes: 'bus',
    redisSubscriptionPerStream: true,
    fdsPerStream: 2,
    start: baselineServer('baselines/seed-server.ts'),
  },
  {
    id: 'pubsub',
    label: 'pub/sub',
    redis: 'single',
    byDefault: true,
    authenticated: false,
    publishes: 'bare',
    redisSubscriptionPerStream: false,
    fdsPerStream: 1,
    start: baselineServer('baselines/pubsub-server.ts'),
  },
  {
    id: 'node-floor',
    label: 'Node floor',
    redis: 'single',
    byDefault: true,
    authenticated: false,
    publishes: 'bus',
    redisSubscriptionPerStream: false,
    fdsPerStream: 1,
    start: baselineServer('baselines/node-floor-server.ts'),
  },
  {
    id: 'redis-floor',
    label: 'Redis floor',
    redis: 'single',
    byDefault: true,
    authenticated: false,
    publishes: 'bus',
    redisSubscriptionPerStream: false,
    fdsPerStream: 0,
    start: null,
  },
];

/** `--from=source|build`: how our server runs (see ServerSettings.from). */
export function appFrom(value: string | undefined): AppProcessOptions['from'] {
  if (value === undefined || value === 'source' || value === 'build') return value;
  throw new Error(`--from takes source or build, not ${value}`);
}

/** Whether the variant is our server (on the single Redis or a cluster), whose failures fail a quick run. */
export function isOurServer(id: VariantId): boolean {
  return id === 'ours' || id === 'ours-cluster1' || id === 'ours-cluster3';
}

/** Our server on `redis`: the variant that creates that Redis's threads. */
export function ourVariantOn(redis: RedisDeploymentId): Variant {
  const id: VariantId = redis === 'single' ? 'ours' : `ours-${redis}`;
  const ours = variants.find((variant) => variant.id === id);
  if (!ours) throw new Error(`no variant runs our server on ${redis}`);
  return ours;
}

/** The variants a run compares: those `ids` names (all known, or it throws), or every variant run by default. */
export function selectVariants(ids: readonly string[] | undefined): Variant[] {
  if (!ids) return variants.filter((variant) => variant.byDefault);
  const unknown = ids.filter((id) => !variants.some((variant) => variant.id === id));
  if (unknown.length > 0)
    throw new Error(`unknown variant ${unknown.join(', ')}: pick from ${variants.map((v) => v.id).join(', ')}`);
  return variants.filter((variant) => ids.includes(variant.id));
}
