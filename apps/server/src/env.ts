import { logLevelSchema, parseEnv, workerEnvShape } from '@threadcast/runner';

import { backendEnvShape } from '@threadcast/store/backend';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  ...backendEnvShape,
  ...workerEnvShape,
  PORT: int(0, 65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Run a worker inside the server. Always on without Redis (nothing else could take the runs). */
  EMBEDDED_WORKER: z.enum(['0', '1']).optional(),
  /** HS256 secret for tokens (32+ bytes). Without it the server runs in dev mode with a random per-process secret. */
  AUTH_SECRET: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional(),
  ),
  /** Allow `auth.devLogin` although AUTH_SECRET is set. */
  AUTH_DEV_LOGIN: z.enum(['0', '1']).optional(),
  SSE_HEARTBEAT_MS: int(100, 300_000).default(15_000),
  /** The built web app to serve; defaults to apps/web/dist of this checkout. */
  WEB_DIST: z.string().optional(),
  LOG_LEVEL: logLevelSchema,
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseEnv(envSchema, source);
}
