import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TokenService } from '@threadcast/api';
import { describe, expect, it } from 'vitest';

const serverDir = fileURLToPath(new URL('../', import.meta.url));
const tsx = `${serverDir}node_modules/.bin/tsx`;
const secret = 'mint-token-test-secret-of-32-bytes-or-more';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the script as `pnpm mint-token` would, with only the given AUTH_* variables set. */
async function mintToken(args: string[], auth: Record<string, string>): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...auth };
  for (const name of ['AUTH_SECRET', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL', 'AUTH_DEV_LOGIN']) {
    if (!(name in auth)) delete env[name];
  }
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ['src/mint-token.ts', ...args], { cwd: serverDir, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('mint-token', () => {
  it('prints only a token that the server verifies', async () => {
    const before = Date.now();
    const { code, stdout, stderr } = await mintToken(['alice', '--ttl', '120', '--name', 'Alice Smith'], {
      AUTH_SECRET: secret,
      AUTH_ISSUER: 'https://threadcast.example',
      AUTH_AUDIENCE: 'threadcast-api',
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const tokens = new TokenService({ secret, issuer: 'https://threadcast.example', audience: 'threadcast-api' });
    const verified = await tokens.verify(stdout.trim());
    expect(verified).toMatchObject({ ok: true, user: { id: 'alice', name: 'Alice Smith' } });
    const { expiresAt } = verified as { expiresAt: number };
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 120_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
    // Another secret, or a server expecting another audience, refuses it.
    expect(await new TokenService({ secret: 'z'.repeat(32) }).verify(stdout.trim())).toMatchObject({ ok: false });
    expect(await new TokenService({ secret, audience: 'elsewhere' }).verify(stdout.trim())).toMatchObject({
      ok: false,
    });
  });

  it.each([
    ['AUTH_SECRET is missing', ['alice'], {}, /AUTH_SECRET is not set/],
    ['AUTH_SECRET is too short', ['alice'], { AUTH_SECRET: 'short' }, /AUTH_SECRET must be at least 32/],
    ['the user id is invalid', ['a*b'], { AUTH_SECRET: secret }, /userId may contain only/],
    ['the ttl is not a positive number', ['alice', '--ttl', '-5'], { AUTH_SECRET: secret }, /ttl/],
    ['no user id is given', [], { AUTH_SECRET: secret }, /usage: pnpm mint-token/],
  ])('exits 1 with a message and no token when %s', async (_label, args, auth, message) => {
    const { code, stdout, stderr } = await mintToken(args, auth);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
