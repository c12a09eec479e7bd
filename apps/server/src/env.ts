import { agentNames } from '@threadcast/runner';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const envSchema = z.object({
  PORT: int(0, 65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Without it, everything (bus, store, queue, worker) runs in this process on the memory engine. */
  REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
  REDIS_KEY_PREFIX: z.string().default('threadcast:'),
  /** Run a worker inside the server. Always on without Redis (nothing else could take the runs). */
  EMBEDDED_WORKER: z.enum(['0', '1']).optional(),
  WORKER_CONCURRENCY: int(1, 10_000).default(16),
  AGENT: z.enum(agentNames).default('demo'),
  AGENT_TOKEN_DELAY_MS: int(0, 60_000).default(40),
  /** HS256 secret for tokens (32+ bytes). Without it the server runs in dev mode with a random per-process secret. */
  AUTH_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional(),
  ),
  /** Allow `auth.devLogin` although AUTH_SECRET is set. */
  AUTH_DEV_LOGIN: z.enum(['0', '1']).optional(),
  SSE_HEARTBEAT_MS: int(100, 300_000).default(15_000),
  HISTORY_LIMIT: int(1, 1_000_000).default(1_000),
  HISTORY_TTL_SECONDS: int(0, 31_536_000).default(86_400),
  SUBSCRIBER_MAX_QUEUED: int(1, 10_000_000).default(10_000),
  /** The built web app to serve; defaults to apps/web/dist of this checkout. */
  WEB_DIST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
