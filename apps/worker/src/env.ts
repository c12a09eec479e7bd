import { backendEnvShape, checkBackendEnv } from '@threadcast/backend';
import { emptyAsUnset, envInt, logLevelSchema, parseEnv } from '@threadcast/common/env';
import { metricsEnvShape } from '@threadcast/observability';
import { workerEnvShape } from '@threadcast/runner';
import { z } from 'zod';

const envSchema = z
  .object({
    ...backendEnvShape,
    ...workerEnvShape,
    ...metricsEnvShape,
    /** If set, the worker touches this file every 5 s while it runs (a liveness probe for containers). */
    WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
    /** If set, the worker serves Prometheus metrics at http://WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics. */
    WORKER_METRICS_PORT: emptyAsUnset(envInt(0, 65_535).optional()),
    WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: logLevelSchema,
  })
  .superRefine(checkBackendEnv)
  // A separate worker only makes sense next to a shared Redis.
  .refine((env) => env.REDIS_URL ?? env.REDIS_CLUSTER_NODES ?? env.REDIS_SENTINELS, {
    path: ['REDIS_URL'],
    message:
      'a separate worker needs a shared Redis: REDIS_URL (redis://host:port), REDIS_CLUSTER_NODES, or REDIS_SENTINELS with REDIS_SENTINEL_NAME',
  });

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseEnv(envSchema, source);
}
