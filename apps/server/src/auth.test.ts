import { describe, expect, it } from 'vitest';
import { configureAuth } from './auth.ts';
import { readEnv } from './env.ts';

const SECRET = 'auth-test-secret-long-enough-for-hs256-x';

function logger() {
  const warnings: string[] = [];
  const log = () => {};
  return {
    warnings,
    logger: { debug: log, info: log, error: log, warn: (_: object, message: string) => warnings.push(message) },
  };
}

describe('configureAuth', () => {
  it('runs in a loudly logged dev mode, with dev login, only when no secret and no JWKS are set', async () => {
    const { logger: log, warnings } = logger();
    const dev = configureAuth(readEnv({}), log);
    expect(dev.devLoginEnabled).toBe(true);
    expect(warnings.join('\n')).toMatch(/DEV MODE/);
    expect((await dev.tokens.verify((await dev.tokens.issue({ id: 'a', name: 'a' })).token)).ok).toBe(true);
  });

  it('refuses dev login with a real secret or a JWKS unless AUTH_DEV_LOGIN=1', () => {
    const quiet = logger();
    expect(configureAuth(readEnv({ AUTH_SECRET: SECRET }), quiet.logger).devLoginEnabled).toBe(false);
    const jwks = readEnv({ AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json' });
    expect(configureAuth(jwks, quiet.logger).devLoginEnabled).toBe(false);
    expect(configureAuth(readEnv({ AUTH_SECRET: SECRET, AUTH_DEV_LOGIN: '1' }), quiet.logger).devLoginEnabled).toBe(
      true,
    );
    expect(quiet.warnings).toEqual([]);
  });

  it('refuses AUTH_DEV_LOGIN=1 with a JWKS alone, which cannot sign dev tokens', () => {
    expect(() =>
      readEnv({ AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json', AUTH_DEV_LOGIN: '1' }),
    ).toThrow(/AUTH_DEV_LOGIN=1 needs AUTH_SECRET/);
  });
});
