import { emptyAsUnset, envInt } from '@threadcast/common/env';
import { z } from 'zod';
import { type AgentConfig, agentNames } from './create-agent.ts';
import { builtInTools } from './tools/built-in-tools.ts';
import { createToolRegistry } from './tools/tool.ts';

const builtInToolNames = builtInTools.map((tool) => tool.name);

/** Names of built-in tools, comma-separated; empty offers none (the model only writes). */
const toolListSchema = z.string().transform((value, ctx) => {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !builtInToolNames.includes(name));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown tool ${unknown.join(', ')}: the built-in tools are ${builtInToolNames.join(', ')}`,
    });
    return z.NEVER;
  }
  return [...new Set(names)];
});

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
  /** The built-in tools the worker offers the model (default: all of them). */
  AGENT_TOOLS: toolListSchema.default(builtInToolNames),
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
    tools: createToolRegistry(builtInTools.filter((tool) => env.AGENT_TOOLS.includes(tool.name))),
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
