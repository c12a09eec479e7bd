import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TokenService } from '@threadcast/api';
import { startServerProcess } from '@threadcast/testkit';
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

describe('signing in where dev login is off', () => {
  it('is refused with a message that says how, and the way it names works', async () => {
    // A server with a real secret and dev login left off, as `pnpm start:server` runs with only AUTH_SECRET set.
    await using server = await startServerProcess({ AUTH_SECRET: secret, AUTH_DEV_LOGIN: '0' });
    const post = (path: string, headers: Record<string, string>, body: unknown = {}) =>
      fetch(`${server.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    const refused = await post('auth.devLogin', {}, { name: 'alice' });
    expect(refused.status).toBe(403);
    const { error } = (await refused.json()) as { error: { message: string; data: { code: string } } };
    expect(error.data.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/^dev login is disabled on this server/);
    expect(error.message).toContain('pnpm mint-token <userId>');
    expect(error.message).toContain('Authorization: Bearer');
    expect(error.message).toContain('auth.startSession');
    expect(error.message).toContain('AUTH_DEV_LOGIN=1');

    // Follow it: a minted token, sent as a bearer, starts a browser session whose cookie then signs requests in.
    const { stdout } = await mintToken(['alice'], { AUTH_SECRET: secret });
    const started = await post('auth.startSession', { authorization: `Bearer ${stdout.trim()}` });
    expect(started.status).toBe(200);
    const cookie = started.headers.get('set-cookie')?.split(';', 1)[0];
    expect(cookie).toMatch(/^threadcast_session=/);
    const session = await fetch(`${server.url}/trpc/auth.session`, { headers: { cookie: cookie ?? '' } });
    expect(await session.json()).toMatchObject({ result: { data: { userId: 'alice', name: 'alice' } } });
  });
});
