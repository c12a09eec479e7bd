import { agentNames } from '@threadcast/runner';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  /** A separate worker only makes sense next to a shared Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL (redis://host:port) is required for a separate worker' }),
  REDIS_KEY_PREFIX: z.string().default('threadcast:'),
  WORKER_CONCURRENCY: int(1, 10_000).default(16),
  WORKER_SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  AGENT: z.enum(agentNames).default('demo'),
  AGENT_TOKEN_DELAY_MS: int(0, 60_000).default(40),
  HISTORY_LIMIT: int(1, 1_000_000).default(1_000),
  HISTORY_TTL_SECONDS: int(0, 31_536_000).default(86_400),
  /** If set, the worker touches this file every 5 s while it runs (a liveness probe for containers). */
  WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
