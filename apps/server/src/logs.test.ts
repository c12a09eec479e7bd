import { createStreamingClient } from '@threadcast/client';
import { type AppProcess, startRedisServer, startServerProcess, type TestRedis } from '@threadcast/testkit';
import { EventSource } from 'eventsource';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow, longPrompt } from './testing/followers.ts';
import { rawStream } from './testing/raw-sse.ts';

/**
 * What a server writes to its log, read from its stdout: structured JSON, one line per stream open and
 * close (never one per event), and no credential in any line, at LOG_LEVEL=debug and info.
 */

const AUTH_SECRET = 'logs-test-secret-that-is-long-enough-for-hs256';
const METRICS_TOKEN = 'logs-test-metrics-token-0123456789';
const OTHER_SECRET = 'another-secret-nobody-here-should-accept-0123';

const sign = (secret: string, payload: { sub: string; exp: number }) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

describe.each(['debug', 'info'] as const)('server logs at LOG_LEVEL=%s', (level) => {
  let redis: TestRedis;
  let server: AppProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    server = await startServerProcess({
      REDIS_URL: redis.url,
      EMBEDDED_WORKER: '1',
      AUTH_SECRET,
      AUTH_DEV_LOGIN: '1',
      METRICS_TOKEN,
      AGENT_TOKEN_DELAY_MS: '1',
      LOG_LEVEL: level,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  it('holds no credential, and a line per stream open and close but none per token', async () => {
    // Dev login as a browser does it: the token in the body and in the session cookie.
    const login = await fetch(`${server.url}/trpc/auth.devLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'logged' }),
    });
    const { token } = ((await login.json()) as { result: { data: { token: string } } }).result.data;
    const cookie = login.headers.getSetCookie()[0]?.split(';', 1)[0] ?? '';
    const cookieValue = cookie.slice(cookie.indexOf('=') + 1);
    expect(cookieValue.length).toBeGreaterThan(20);

    const api = createStreamingClient({ url: `${server.url}/trpc`, getToken: () => token, EventSource });
    const { threadId } = await api.trpc.thread.create.mutate({ title: 'logged thread' });

    // A stream with the bearer token follows a long run to its end.
    const follower = follow(api, threadId);
    const { runId } = await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(300) });
    await follower.finished;
    follower.stop();
    const tokens = follower.tokens();
    expect(tokens).toBeGreaterThanOrEqual(300);

    // A stream with the cookie, named by the proxy's request id, resumed from an event.
    const resumeFrom = follower.events[1]?.id ?? '';
    const byCookie = await rawStream(
      server.url,
      { threadId, lastEventId: resumeFrom },
      { headers: { cookie, 'x-request-id': 'proxy-req-42' }, until: (text) => text.includes('"done"') },
    );
    expect(byCookie.text).toContain('"done"');

    // Refused credentials: garbage, another secret's token, an expired one, a token in the URL.
    const garbage = 'garbage-credential-that-must-not-be-logged-0123456789';
    const foreign = await sign(OTHER_SECRET, { sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 600 });
    const expired = await sign(AUTH_SECRET, { sub: 'logged', exp: Math.floor(Date.now() / 1000) - 600 });
    for (const bad of [garbage, foreign, expired]) {
      const refused = await rawStream(server.url, { threadId }, { headers: { authorization: `Bearer ${bad}` } });
      expect(refused.outcome).toBe('UNAUTHORIZED');
    }
    const inUrl = await rawStream(server.url, { threadId }, { query: { connectionParams: JSON.stringify({ token }) } });
    expect(inUrl.outcome).toBe('UNAUTHORIZED');
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${garbage}` } })).status).toBe(
      401,
    );
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);

    // Both streams closed, each said so in one line.
    const lines = () => parseLines(server.output());
    await expect.poll(() => lines().filter((line) => line.msg === 'stream closed').length).toBe(2);
    const all = lines();

    // No credential, nor the signature or payload of any token, in any line.
    const secrets = [token, cookieValue, AUTH_SECRET, METRICS_TOKEN, OTHER_SECRET, garbage, foreign, expired];
    const jwtParts = [token, foreign, expired].flatMap((jwt) => jwt.split('.').slice(1));
    for (const secret of [...secrets, ...jwtParts]) {
      const leaks = all.filter((line) => JSON.stringify(line).includes(secret));
      expect(leaks, `a log line holds ${secret.slice(0, 8)}…`).toEqual([]);
    }
    expect(server.output()).not.toMatch(/authorization|threadcast_session=/i);

    // One line per stream open and one per close, with what an operator needs, matched by the stream id.
    const opened = all.filter((line) => line.msg === 'stream opened');
    const closed = all.filter((line) => line.msg === 'stream closed');
    expect(opened).toHaveLength(2);
    expect(opened.map((line) => line.resumeFrom)).toEqual([null, resumeFrom]);
    for (const [i, close] of closed.entries()) {
      expect(close).toMatchObject({
        streamId: opened[i]?.streamId,
        threadId,
        userId: 'logged',
        reason: 'client_closed',
        events: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
    expect(closed.map((line) => line.events)).toEqual([follower.events.length, follower.events.length - 2]);
    expect(opened[1]?.streamId).toBe('proxy-req-42');
    expect(opened[0]?.streamId).toMatch(/^[0-9a-f]{16}$/);

    // A run of hundreds of tokens leaves a handful of lines, however many tokens it had.
    const aboutTheThread = all.filter((line) => line.threadId === threadId || line.runId === runId);
    expect(aboutTheThread.length).toBeLessThanOrEqual(6);
    expect(all.length).toBeLessThan(tokens / 10);

    // At debug, refused tokens are logged, by reason only.
    const refusals = all.filter((line) => line.msg === 'token refused').map((line) => line.reason);
    expect(refusals).toEqual(level === 'debug' ? ['malformed', 'invalid', 'expired'] : []);
  }, 60_000);
});

/** Every line of the server's output but the one human line it prints on start; each must be JSON. */
function parseLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('threadcast is running at '))
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}
