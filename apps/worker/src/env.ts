import { backendEnvShape } from '@threadcast/backend';
import { emptyAsUnset, envInt, logLevelSchema, parseEnv } from '@threadcast/common/env';
import { metricsEnvShape } from '@threadcast/observability';
import { workerEnvShape } from '@threadcast/runner';
import { z } from 'zod';

const envSchema = z.object({
  ...backendEnvShape,
  ...workerEnvShape,
  ...metricsEnvShape,
  /** A separate worker only makes sense next to a shared Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL (redis://host:port) is required for a separate worker' }),
  /** If set, the worker touches this file every 5 s while it runs (a liveness probe for containers). */
  WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
  /** If set, the worker serves Prometheus metrics at http://WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics. */
  WORKER_METRICS_PORT: emptyAsUnset(envInt(0, 65_535).optional()),
  WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: logLevelSchema,
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseEnv(envSchema, source);
}
