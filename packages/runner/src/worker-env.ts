import { z } from 'zod';
import { agentNames } from './create-agent.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Environment variables of a worker, embedded or separate, shared by every app's `env.ts`. */
export const workerEnvShape = {
  WORKER_CONCURRENCY: int(1, 10_000).default(16),
  WORKER_SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  AGENT: z.enum(agentNames).default('demo'),
  AGENT_TOKEN_DELAY_MS: int(0, 60_000).default(40),
};

export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
