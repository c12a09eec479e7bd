/**
 * Prints a token signed with AUTH_SECRET, for scripts and API clients of a server that has no dev login:
 *   TOKEN=$(pnpm mint-token alice --ttl 3600 --name "Alice")
 * Only the token goes to stdout (pnpm's own lines go to stderr); problems go to stderr with exit status 1.
 */
import { parseArgs } from 'node:util';
import { TokenService } from '@threadcast/api';
import { userIdSchema } from '@threadcast/contract';
import { type Env, readEnv } from './env.ts';

const USAGE = 'usage: pnpm mint-token <userId> [--ttl <seconds>] [--name <display name>]';

function fail(message: string): never {
  process.stderr.write(`mint-token: ${message}\n`);
  process.exit(1);
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { ttl: { type: 'string' }, name: { type: 'string' } },
    });
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

function readEnvOrFail(): Env {
  try {
    return readEnv();
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const { values, positionals } = parseCommandLine(process.argv.slice(2));
if (positionals.length !== 1) fail(USAGE);
const userId = userIdSchema.safeParse(positionals[0]);
if (!userId.success) fail(userId.error.issues[0]?.message ?? 'invalid userId');
if (values.ttl !== undefined && !/^[1-9]\d{0,9}$/.test(values.ttl)) fail('--ttl must be a positive number of seconds');

const env = readEnvOrFail();
if (!env.AUTH_SECRET) fail("AUTH_SECRET is not set: set it to the server's secret (at least 32 bytes)");
const tokens = new TokenService({ secret: env.AUTH_SECRET, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE });
const { token } = await tokens.issue(
  { id: userId.data, name: values.name ?? userId.data },
  { ttlSeconds: values.ttl === undefined ? env.AUTH_TOKEN_TTL_SECONDS : Number(values.ttl) },
);
process.stdout.write(`${token}\n`);
