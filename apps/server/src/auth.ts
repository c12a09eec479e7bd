import { randomBytes } from 'node:crypto';
import { TokenService } from '@threadcast/api';
import type { Logger } from '@threadcast/bus';
import type { Env } from './env.ts';

/** The token service and whether dev login is on; without AUTH_SECRET that is dev mode, said loudly. */
export function configureAuth(env: Env, logger: Logger): { tokens: TokenService; devLoginEnabled: boolean } {
  if (env.AUTH_SECRET) {
    return { tokens: new TokenService({ secret: env.AUTH_SECRET }), devLoginEnabled: env.AUTH_DEV_LOGIN === '1' };
  }
  logger.warn(
    {},
    'DEV MODE: no AUTH_SECRET set, so tokens are signed with a random per-process secret and anyone can sign in with auth.devLogin. Set AUTH_SECRET in production and when running several servers.',
  );
  return { tokens: new TokenService({ secret: randomBytes(32).toString('base64url') }), devLoginEnabled: true };
}
