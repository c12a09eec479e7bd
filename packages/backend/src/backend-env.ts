import { DEFAULT_MAX_EVENT_BYTES } from '@threadcast/bus';
import { parseNodeList, type RedisTarget } from '@threadcast/bus/redis';
import { DEFAULT_KEY_PREFIX } from '@threadcast/bus/redis-names';
import { emptyAsUnset, envInt } from '@threadcast/common/env';
import { z } from 'zod';
import type { BackendConfig } from './backend-config.ts';

/** A comma-separated list of `host:port` (or `redis://[user:password@]host:port`) nodes. */
const nodeList = (variable: string) =>
  emptyAsUnset(
    z
      .string()
      .transform((raw, ctx) => {
        try {
          return parseNodeList(raw, variable);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
          return z.NEVER;
        }
      })
      .optional(),
  );

/** Environment variables that choose and tune the engines, shared by every app's `env.ts`. */
export const backendEnvShape = {
  /** One Redis. Without it (and without a cluster or Sentinel set), everything lives in one process on the memory engine. */
  REDIS_URL: emptyAsUnset(z.url({ protocol: /^rediss?$/ }).optional()),
  /** A Redis Cluster, by some of its nodes: `host:port[,host:port...]`. */
  REDIS_CLUSTER_NODES: nodeList('REDIS_CLUSTER_NODES'),
  /** A primary and its replicas under Sentinel, by the sentinels: `host:port[,host:port...]`, with REDIS_SENTINEL_NAME. */
  REDIS_SENTINELS: nodeList('REDIS_SENTINELS'),
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> ...`). */
  REDIS_SENTINEL_NAME: emptyAsUnset(z.string().min(1).optional()),
  /** Password (and ACL user) of the cluster nodes, or of the primary and replicas under Sentinel. */
  REDIS_PASSWORD: emptyAsUnset(z.string().optional()),
  REDIS_USERNAME: emptyAsUnset(z.string().optional()),
  /** Password of the sentinels themselves, if they require one. */
  REDIS_SENTINEL_PASSWORD: emptyAsUnset(z.string().optional()),
  /** Replicas that must confirm each event (Redis WAIT) before it counts as published; 0: none. */
  REDIS_PUBLISH_REPLICAS: envInt(0, 100).default(0),
  /** How long a publish waits for those confirmations before it fails (the event is kept; the worker retries). */
  REDIS_PUBLISH_REPLICAS_TIMEOUT_MS: envInt(1, 60_000).default(1_000),
  REDIS_KEY_PREFIX: z.string().default(DEFAULT_KEY_PREFIX),
  HISTORY_LIMIT: envInt(1, 1_000_000).default(1_000),
  HISTORY_TTL_SECONDS: envInt(0, 31_536_000).default(86_400),
  SUBSCRIBER_MAX_QUEUED: envInt(1, 10_000_000).default(10_000),
  /** Largest event the bus accepts, in bytes of JSON; a bigger one is refused (its run ends with an error). */
  EVENT_MAX_BYTES: envInt(256, 64 * 1024 * 1024).default(DEFAULT_MAX_EVENT_BYTES),
  /** `0` turns off the bridge from the seed's `agent_run:<runId>:new_response` channels. */
  LEGACY_BRIDGE: z.enum(['0', '1']).default('1'),
};

const backendEnvSchema = z.object(backendEnvShape);
type BackendEnv = z.infer<typeof backendEnvSchema>;

/**
 * The checks across variables (attach with `.superRefine(checkBackendEnv)`): at most one Redis is named,
 * a Sentinel set has its name, and WAIT needs a Redis with replicas.
 */
export function checkBackendEnv(env: BackendEnv, ctx: z.RefinementCtx): void {
  const named = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter(
    (key) => env[key] !== undefined,
  );
  if (named.length > 1)
    ctx.addIssue({
      code: 'custom',
      message: `${named.join(' and ')} are both set: name one Redis (one server, a cluster, or a Sentinel set)`,
    });
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_NAME === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINEL_NAME'],
      message:
        'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the name the sentinels monitor the primary under)',
    });
  if (env.REDIS_SENTINEL_NAME !== undefined && env.REDIS_SENTINELS === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINELS'],
      message: 'REDIS_SENTINEL_NAME is set without REDIS_SENTINELS',
    });
  if (env.REDIS_PUBLISH_REPLICAS > 0 && named.length === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_PUBLISH_REPLICAS'],
      message: 'REDIS_PUBLISH_REPLICAS needs a Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)',
    });
}

/** The Redis the environment names, or undefined for the memory engine. */
export function redisTargetFromEnv(env: BackendEnv): RedisTarget | undefined {
  const credentials = {
    ...(env.REDIS_USERNAME ? { username: env.REDIS_USERNAME } : {}),
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
  };
  if (env.REDIS_CLUSTER_NODES) {
    const { nodes, tls, ...inline } = env.REDIS_CLUSTER_NODES;
    return { kind: 'cluster', nodes, ...inline, ...credentials, ...(tls ? { tls } : {}) };
  }
  if (env.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: env.REDIS_SENTINELS.nodes,
      name: env.REDIS_SENTINEL_NAME ?? '',
      ...credentials,
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
    };
  }
  return env.REDIS_URL ? { kind: 'single', url: env.REDIS_URL } : undefined;
}

export function backendConfigFromEnv(env: BackendEnv): BackendConfig {
  return {
    redis: redisTargetFromEnv(env),
    keyPrefix: env.REDIS_KEY_PREFIX,
    historyLimit: env.HISTORY_LIMIT,
    historyTtlSeconds: env.HISTORY_TTL_SECONDS,
    maxQueuedPerSubscriber: env.SUBSCRIBER_MAX_QUEUED,
    maxEventBytes: env.EVENT_MAX_BYTES,
    legacyBridge: env.LEGACY_BRIDGE === '1',
    publishReplicas: env.REDIS_PUBLISH_REPLICAS,
    publishReplicasTimeoutMs: env.REDIS_PUBLISH_REPLICAS_TIMEOUT_MS,
  };
}
