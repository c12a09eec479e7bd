import { DEFAULT_MAX_EVENT_BYTES } from '@threadcast/bus';
import { DEFAULT_KEY_PREFIX } from '@threadcast/bus/redis-names';
import { emptyAsUnset, envInt } from '@threadcast/common/env';
import { z } from 'zod';
import type { BackendConfig } from './backend-config.ts';

/** Environment variables that choose and tune the engines, shared by every app's `env.ts`. */
export const backendEnvShape = {
  /** Without it, everything lives in one process on the memory engine. */
  REDIS_URL: emptyAsUnset(z.url({ protocol: /^rediss?$/ }).optional()),
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

export function backendConfigFromEnv(env: z.infer<typeof backendEnvSchema>): BackendConfig {
  return {
    redisUrl: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    historyLimit: env.HISTORY_LIMIT,
    historyTtlSeconds: env.HISTORY_TTL_SECONDS,
    maxQueuedPerSubscriber: env.SUBSCRIBER_MAX_QUEUED,
    maxEventBytes: env.EVENT_MAX_BYTES,
    legacyBridge: env.LEGACY_BRIDGE === '1',
  };
}
