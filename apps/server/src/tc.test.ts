import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RedisEventBus } from '@threadcast/bus/redis';
import { connectionNames, THREAD_CHANNEL_PATTERN } from '@threadcast/bus/redis-names';
import {
  type AppProcess,
  freePort,
  type StartedProcess,
  startProcess,
  startRedisServer,
  startServerProcess,
  type TestRedis,
} from '@threadcast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow, signIn } from './testing/followers.ts';

/** `pnpm tc` against a real Redis and a real server process. */

const serverDir = fileURLToPath(new URL('../', import.meta.url));
const tsx = `${serverDir}node_modules/.bin/tsx`;
const METRICS_TOKEN = 'tc-test-metrics-token-0123456789';

let redis: TestRedis;
let server: AppProcess;
let bus: RedisEventBus;

beforeAll(async () => {
  redis = await startRedisServer();
  server = await startServerProcess({
    REDIS_URL: redis.url,
    AUTH_SECRET: 'tc-test-secret-that-is-long-enough-for-hs256',
    AUTH_DEV_LOGIN: '1',
    METRICS_TOKEN,
    INSTANCE_ID: 'tc-server',
  });
  bus = new RedisEventBus({ url: redis.url });
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await server?.stop();
  await redis?.stop();
});

/** The environment of an operator's shell: only what tc reads, nothing inherited that could change it. */
function envOf(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redis.url, ...extra };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function tc(args: string[], extra: Record<string, string | undefined> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ['src/tc.ts', ...args], {
      cwd: serverDir,
      env: envOf(extra),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** `tc tail` in the background: resolves once it says it is tailing. */
async function startTail(args: string[]): Promise<StartedProcess> {
  const proc = startProcess(tsx, ['src/tc.ts', 'tail', ...args], { cwd: serverDir, env: envOf({}) });
  await proc.waitForLine(/^tc: tailing /);
  return proc;
}

async function exitOf(proc: StartedProcess): Promise<{ code: number | null; lines: string[] }> {
  if (proc.child.exitCode === null) await once(proc.child, 'exit');
  const lines = proc
    .output()
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('tc: '));
  return { code: proc.child.exitCode, lines };
}

const token = (threadId: string, content: string) =>
  ({ type: 'token', threadId, runId: 'r1', ts: Date.now(), content }) as const;

describe('tc publish', () => {
  it('publishes a test event through the bus, kept and numbered, and prints its id', async () => {
    const threadId = 'tc-publish-thread';
    const first = await tc(['publish', threadId, 'token', 'héllo 👋 ']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const second = await tc(['publish', threadId, 'status', '{"state":"running","runId":"r1"}', '--run', 'r1']);
    expect(second.code).toBe(0);
    const history = await bus.history(threadId);
    expect(history.map((stored) => `${stored.id}\n`)).toEqual([first.stdout, second.stdout]);
    expect(history.map((stored) => stored.event)).toMatchObject([
      { type: 'token', content: 'héllo 👋 ' },
      { type: 'status', runId: 'r1', content: { state: 'running', runId: 'r1' } },
    ]);
  });

  it.each([
    [['publish', 't1', 'status', 'not json'], /the content of a status event is JSON, e.g. /],
    [['publish', 't1', 'token', 'x', '--color'], /Unknown option '--color'/],
    [['explode'], /unknown command "explode"/],
  ])('refuses %j in words, with the usage, and publishes nothing', async (args, message) => {
    const outcome = await tc(args);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toContain('usage:');
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect(await bus.history('t1')).toEqual([]);
  });
});

describe('tc tail', () => {
  it('prints what is published from now on, one line per event', async () => {
    const threadId = 'tc-tail-live';
    await bus.publish(token(threadId, 'before'));
    const tail = await startTail([threadId, '--count', '2']);
    const a = await bus.publish(token(threadId, 'one'));
    const b = await bus.publish({ type: 'delta', threadId, ts: Date.now(), content: { type: 'start-step' } });
    expect(await exitOf(tail)).toEqual({
      code: 0,
      lines: [`${a.id} token run=r1 "one"`, `${b.id} delta {"type":"start-step"}`],
    });
  });

  it('replays history after an id, then goes on live; --all and --json print all that is retained', async () => {
    const threadId = 'tc-tail-history';
    const stored = [];
    for (const content of ['h1', 'h2', 'h3']) stored.push(await bus.publish(token(threadId, content)));
    const tail = await startTail([threadId, '--from', stored[0]?.id ?? '', '--count', '3']);
    const live = await bus.publish(token(threadId, 'live'));
    const { code, lines } = await exitOf(tail);
    expect(code).toBe(0);
    expect(lines.map((line) => line.split(' ', 1)[0])).toEqual([stored[1]?.id, stored[2]?.id, live.id]);

    const all = await tc(['tail', threadId, '--all', '--count', '4', '--json']);
    expect(all.code).toBe(0);
    const events = all.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; event: { content: string } });
    expect(events.map((e) => e.event.content)).toEqual(['h1', 'h2', 'h3', 'live']);
    expect(events.map((e) => e.id)).toEqual([...stored.map((s) => s.id), live.id]);
  });

  it('says when a thread is not in the store, and refuses a malformed id', async () => {
    const tail = await startTail(['tc-no-such-thread', '--count', '1']);
    expect(tail.output()).toContain('tc: no thread tc-no-such-thread in the store; tailing its events anyway');
    await bus.publish(token('tc-no-such-thread', 'still shown'));
    expect((await exitOf(tail)).lines).toHaveLength(1);

    const bad = await tc(['tail', 'tc-tail-history', '--from', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from yesterday is not an event id');
    const both = await tc(['tail', 'tc-tail-history', '--from', 'a:1', '--all']);
    expect(both.stderr).toContain('--from and --all exclude each other');
  });
});

describe('tc streams', () => {
  it("lists threadcast's Redis connections and each server's open streams", async () => {
    const { api } = await signIn(server.url, 'operator');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const follower = follow(api, threadId);
    try {
      await expect.poll(() => follower.live()).toBe(true);
      const outcome = await tc(['streams', '--server', server.url], { METRICS_TOKEN });
      expect(outcome).toMatchObject({ code: 0, stderr: '' });
      const lines = outcome.stdout.split('\n');
      // The server's command connection, and this test's publisher (its subscriber never connected).
      expect(lines.filter((line) => new RegExp(`^\\s+${connectionNames.commands}\\s`).test(line))).toHaveLength(2);
      expect(lines.find((line) => new RegExp(`^\\s+${connectionNames.subscriber}\\s`).test(line))).toMatch(
        /\s1\s+1\s+\S+$/,
      );
      expect(outcome.stdout).not.toContain(connectionNames.tc);
      expect(outcome.stdout).toContain(`threads with live subscribers (PUBSUB CHANNELS ${THREAD_CHANNEL_PATTERN}): 1`);
      const row = lines.find((line) => line.includes(server.url));
      expect(row?.trim().split(/\s+/)).toEqual([
        server.url,
        'tc-server',
        '1',
        '0',
        '0',
        'commands=up',
        'subscriber=up',
      ]);
    } finally {
      follower.stop();
    }

    const refused = await tc(['streams', '--server', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused the scrape: set METRICS_TOKEN to the server's");
    const notUrl = await tc(['streams', '--server', 'ftp://example']);
    expect(notUrl.stderr).toContain('--server ftp://example is not an http(s) URL');
  });
});

describe('tc without a reachable Redis', () => {
  it('says REDIS_URL is needed, or which host did not answer (never the URL, which may hold a password)', async () => {
    const unset = await tc(['tail', 'anything'], { REDIS_URL: undefined });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('REDIS_URL is not set');
    expect(unset.stderr).not.toContain('usage:');
    const port = await freePort();
    const url = `redis://:hunter2-password@127.0.0.1:${port}`;
    for (const args of [['publish', 't1', 'token', 'x'], ['tail', 't1'], ['streams']]) {
      const down = await tc(args, { REDIS_URL: url });
      expect(down.code).toBe(1);
      expect(down.stderr).toContain(`could not reach Redis at 127.0.0.1:${port}`);
      expect(down.stderr).not.toContain('hunter2');
    }
  }, 60_000);
});
