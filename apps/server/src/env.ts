import { type ApiLimits, DEFAULT_LIMITS } from '@threadcast/api';
import { backendEnvShape, checkBackendEnv } from '@threadcast/backend';
import { emptyAsUnset, envInt as int, logLevelSchema, parseEnv } from '@threadcast/common/env';
import { metricsEnvShape } from '@threadcast/observability';
import { workerEnvShape } from '@threadcast/runner';
import { z } from 'zod';
import type { LifecycleOptions } from './lifecycle.ts';
import { originProblem } from './origin-policy.ts';
import { DEFAULT_REQUEST_LIMITS } from './request-limits.ts';

const envSchema = z.object({
  ...backendEnvShape,
  ...workerEnvShape,
  ...metricsEnvShape,
  PORT: int(0, 65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Run a worker inside the server. Always on without Redis (nothing else could take the runs). */
  EMBEDDED_WORKER: z.enum(['0', '1']).optional(),
  /** HS256 secret for tokens (32+ bytes). Without it and AUTH_JWKS_URL: dev mode, with a random per-process secret. */
  AUTH_SECRET: emptyAsUnset(z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional()),
  /** Allow `auth.devLogin` although AUTH_SECRET or AUTH_JWKS_URL is set (it needs AUTH_SECRET to sign). */
  AUTH_DEV_LOGIN: z.enum(['0', '1']).optional(),
  /** JWKS of an external issuer whose RS/PS/ES/EdDSA tokens are accepted, besides AUTH_SECRET's HS256 ones. */
  AUTH_JWKS_URL: emptyAsUnset(
    z.url({ protocol: /^https?$/, error: 'AUTH_JWKS_URL must be an http(s) URL' }).optional(),
  ),
  /** When set, tokens must carry this `iss`, and the tokens this server issues do. */
  AUTH_ISSUER: emptyAsUnset(z.string().optional()),
  /** When set, a token's `aud` must contain this, and the tokens this server issues carry it. */
  AUTH_AUDIENCE: emptyAsUnset(z.string().optional()),
  /** Lifetime of the tokens this server issues (auth.devLogin, `pnpm mint-token`). */
  AUTH_TOKEN_TTL_SECONDS: int(60, 31_536_000).default(43_200),
  SSE_HEARTBEAT_MS: int(100, 300_000).default(15_000),
  /** The longest a stream stays open before its client is told to reconnect and resume (unset: as long as the token holds). */
  SSE_MAX_DURATION_MS: emptyAsUnset(int(1_000, 2_147_483_647).optional()),
  // Limits (see DEFAULT_LIMITS in @threadcast/api and the README's Security section).
  STREAMS_PER_USER: int(1, 1_000_000).default(DEFAULT_LIMITS.streamsPerUser),
  STREAMS_PER_SERVER: int(1, 10_000_000).default(DEFAULT_LIMITS.streamsPerServer),
  RUN_STARTS_PER_MINUTE: int(1, 1_000_000).default(DEFAULT_LIMITS.runStartsPerMinute),
  PROMPT_MAX_CHARS: int(1, 10_000_000).default(DEFAULT_LIMITS.promptMaxChars),
  INPUT_MAX_BYTES: int(256, 100_000_000).default(DEFAULT_LIMITS.inputMaxBytes),
  // HTTP hardening (see http-server.ts).
  /** Comma-separated exact origins (https://app.example.com) that may call /trpc from a browser with credentials; empty: same-origin only. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const origins = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      for (const origin of origins) {
        const problem = originProblem(origin);
        if (problem) ctx.addIssue({ code: 'custom', message: `CORS_ORIGINS: ${problem}` });
      }
      return origins;
    }),
  BODY_MAX_BYTES: int(1_024, 1_073_741_824).default(DEFAULT_REQUEST_LIMITS.bodyMaxBytes),
  URL_MAX_BYTES: int(1_024, 1_048_576).default(DEFAULT_REQUEST_LIMITS.urlMaxBytes),
  /** Set behind a TLS-terminating proxy that sets X-Forwarded-Proto: https requests then get HSTS. */
  TRUST_PROXY: z.enum(['0', '1']).optional(),
  // Lifecycle (see lifecycle.ts).
  /** On SIGTERM (and after losing Redis), open streams end over this window, so their clients reconnect spread out. */
  SHUTDOWN_SPREAD_MS: int(0, 600_000).default(3_000),
  /** A shutdown is over by this deadline: past it the process exits with code 1 whatever is left. */
  SHUTDOWN_TIMEOUT_MS: int(1_000, 3_600_000).default(8_000),
  /** Open streams end with a retryable error once Redis has been unusable this long; a shorter blip is ridden out. */
  REDIS_LOSS_GRACE_MS: int(0, 600_000).default(5_000),
  /** The built web app to serve; defaults to apps/web/dist of this checkout. */
  WEB_DIST: z.string().optional(),
  LOG_LEVEL: logLevelSchema,
});

/** Dev login signs tokens, which a JWKS cannot: AUTH_DEV_LOGIN=1 with AUTH_JWKS_URL alone is a configuration error. */
const checkedEnvSchema = envSchema
  .refine((env) => env.AUTH_DEV_LOGIN !== '1' || env.AUTH_SECRET !== undefined || env.AUTH_JWKS_URL === undefined, {
    path: ['AUTH_DEV_LOGIN'],
    message: 'AUTH_DEV_LOGIN=1 needs AUTH_SECRET to sign dev tokens (AUTH_JWKS_URL only verifies)',
  })
  .refine((env) => env.SHUTDOWN_SPREAD_MS < env.SHUTDOWN_TIMEOUT_MS, {
    path: ['SHUTDOWN_SPREAD_MS'],
    message: 'SHUTDOWN_SPREAD_MS must be shorter than SHUTDOWN_TIMEOUT_MS (streams end within the deadline)',
  })
  .superRefine(checkBackendEnv);

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseEnv(checkedEnvSchema, source);
}

export function lifecycleFromEnv(env: Env): Pick<LifecycleOptions, 'spreadMs' | 'timeoutMs' | 'redisLossGraceMs'> {
  return {
    spreadMs: env.SHUTDOWN_SPREAD_MS,
    timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    redisLossGraceMs: env.REDIS_LOSS_GRACE_MS,
  };
}

export function limitsFromEnv(env: Env): ApiLimits {
  return {
    streamsPerUser: env.STREAMS_PER_USER,
    streamsPerServer: env.STREAMS_PER_SERVER,
    runStartsPerMinute: env.RUN_STARTS_PER_MINUTE,
    promptMaxChars: env.PROMPT_MAX_CHARS,
    inputMaxBytes: env.INPUT_MAX_BYTES,
  };
}
