import { randomBytes } from 'node:crypto';
import { TokenService } from '@threadcast/api';
import type { Logger } from '@threadcast/common';
import type { Env } from './env.ts';

/**
 * The token service and whether dev login is on. Without AUTH_SECRET and AUTH_JWKS_URL that is dev mode, said
 * loudly; otherwise dev login needs AUTH_DEV_LOGIN=1 (and AUTH_SECRET, which env.ts checks).
 */
export function configureAuth(env: Env, logger: Logger): { tokens: TokenService; devLoginEnabled: boolean } {
  const claims = { issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE, ttlSeconds: env.AUTH_TOKEN_TTL_SECONDS };
  if (env.AUTH_SECRET || env.AUTH_JWKS_URL) {
    return {
      tokens: new TokenService({ ...claims, secret: env.AUTH_SECRET, jwksUrl: env.AUTH_JWKS_URL }),
      devLoginEnabled: env.AUTH_DEV_LOGIN === '1',
    };
  }
  logger.warn(
    {},
    'DEV MODE: neither AUTH_SECRET nor AUTH_JWKS_URL is set, so tokens are signed with a random per-process secret and anyone can sign in with auth.devLogin. Set AUTH_SECRET in production and when running several servers.',
  );
  return {
    tokens: new TokenService({ ...claims, secret: randomBytes(32).toString('base64url') }),
    devLoginEnabled: true,
  };
}
