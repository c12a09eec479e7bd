import { emptyAsUnset, envInt } from '@threadcast/common/env';
import { z } from 'zod';
import { type AgentConfig, agentNames } from './create-agent.ts';

/** Environment variables of a worker, embedded or separate, shared by every app's `env.ts`. */
export const workerEnvShape = {
  WORKER_CONCURRENCY: envInt(1, 10_000).default(16),
  WORKER_SHUTDOWN_GRACE_MS: envInt(0, 600_000).default(10_000),
  /** A run whose worker stops renewing its lease for this long is ended `error` by another worker. */
  RUN_LEASE_MS: envInt(300, 3_600_000).default(10_000),
  /** Token events a run sends before waiting for Redis to confirm them. */
  PUBLISH_WINDOW: envInt(1, 10_000).default(64),
  AGENT: z.enum(agentNames).default('demo'),
  AGENT_TOKEN_DELAY_MS: envInt(0, 60_000).default(40),
  /** Model calls one run may make (each reads the results of the tools the previous one called). */
  AGENT_MAX_STEPS: envInt(1, 100).default(8),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
  /** Required when AGENT=openai (checked by `createAgent`); an empty value counts as unset. */
  OPENAI_API_KEY: emptyAsUnset(z.string().optional()),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_MAX_RETRIES: envInt(0, 10).default(2),
};

export type WorkerEnv = z.output<z.ZodObject<typeof workerEnvShape>>;

/** The worker settings of a parsed environment, for `runWorker`. */
export function workerOptionsFromEnv(env: WorkerEnv) {
  return {
    concurrency: env.WORKER_CONCURRENCY,
    shutdownGraceMs: env.WORKER_SHUTDOWN_GRACE_MS,
    leaseMs: env.RUN_LEASE_MS,
    publishWindow: env.PUBLISH_WINDOW,
    maxSteps: env.AGENT_MAX_STEPS,
  };
}

/** The agent settings of a parsed environment, for `createAgent`. */
export function agentConfigFromEnv(env: WorkerEnv): AgentConfig {
  return {
    name: env.AGENT,
    tokenDelayMs: env.AGENT_TOKEN_DELAY_MS,
    openai: {
      baseURL: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY,
      model: env.OPENAI_MODEL,
      maxRetries: env.OPENAI_MAX_RETRIES,
    },
  };
}
