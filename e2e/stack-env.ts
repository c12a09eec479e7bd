import type { AppProcessOptions } from '@threadcast/testkit';

/**
 * Every app process the e2e suites start runs as production runs it: the build (`dist/main.js`) with plain node.
 * The suite's script builds the apps first (turbo: a cache hit when nothing changed).
 */
export const fromBuild: AppProcessOptions = { from: 'build' };

/** Settings of every app process the e2e suites start. */
export const appEnv: Record<string, string> = { AGENT_TOKEN_DELAY_MS: '30', SSE_HEARTBEAT_MS: '2000' };

/** Settings shared by every process of the Redis-backed stack. */
export function scaledEnv(redisUrl: string): Record<string, string> {
  return {
    ...appEnv,
    REDIS_URL: redisUrl,
    AUTH_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
    AUTH_DEV_LOGIN: '1',
  };
}
