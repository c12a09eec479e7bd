import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectionNames } from '@threadcast/bus/redis-names';
import { createStreamingClient, type StreamingClient } from '@threadcast/client';
import {
  type AppProcess,
  startRedisServer,
  startServerProcess,
  type TestRedis,
  WAIT_TIMEOUT_MS,
} from '@threadcast/testkit';
import { TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectExactlyOnce, type Follower, follow, longPrompt } from './testing/followers.ts';
import { errorCodeOf, rawStream } from './testing/raw-sse.ts';

/**
 * The bad-input matrix, against a real server process on a real Redis: every case gets its exact tRPC
 * error code, and the server keeps serving a bystander who streams through all of it.
 */

const AUTH_SECRET = 'security-test-secret-long-enough-for-hs256';
const ISSUER = 'https://issuer.threadcast.test';
const AUDIENCE = 'threadcast-security-test';
const KID = 'test-key-1';

let redis: TestRedis;
let server: AppProcess;
let jwks: Server;
let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
let bystander: { api: StreamingClient; threadId: string; follower: Follower };

const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string, extra: JWTPayload = {}): JWTPayload => ({
  sub,
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  exp: now() + 3600,
  ...extra,
});
const hs256 = (payload: JWTPayload, secret: string | Uint8Array = AUTH_SECRET) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
const rs256 = (payload: JWTPayload, kid = KID) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(rsa.privateKey);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function clientOf(token: string | null): StreamingClient {
  return createStreamingClient({
    url: `${server.url}/trpc`,
    getToken: () => token,
    EventSource,
    reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
  });
}

async function signIn(name: string): Promise<{ api: StreamingClient; token: string }> {
  const { token } = await clientOf(null).trpc.auth.devLogin.mutate({ name });
  return { api: clientOf(token), token };
}

/** The tRPC error code a call ends with, or `OK`. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code ?? 'NO_CODE';
    return `not a tRPC error: ${String(error)}`;
  }
}

async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(rsa.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  redis = await startRedisServer();
  server = await startServerProcess({
    REDIS_URL: redis.url,
    EMBEDDED_WORKER: '1',
    AUTH_SECRET,
    AUTH_DEV_LOGIN: '1',
    AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AGENT_TOKEN_DELAY_MS: '10',
    SSE_HEARTBEAT_MS: '1000',
    STREAMS_PER_USER: '3',
    RUN_STARTS_PER_MINUTE: '5',
    PROMPT_MAX_CHARS: '4000',
    INPUT_MAX_BYTES: '8192',
    // Behind a TLS proxy: its X-Forwarded-Proto decides whether session cookies are Secure.
    TRUST_PROXY: '1',
  });
  const { api } = await signIn('bystander');
  const { threadId } = await api.trpc.thread.create.mutate({});
  bystander = { api, threadId, follower: follow(api, threadId) };
  // expect.poll needs a test; a hook waits with vi.waitFor, whose default is 1 s.
  await vi.waitFor(() => expect(bystander.follower.live()).toBe(true), { timeout: WAIT_TIMEOUT_MS });
}, 60_000);

afterAll(async () => {
  bystander?.follower.stop();
  await server?.stop();
  await redis?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

describe('authentication', () => {
  const cases: [string, string, () => Promise<string | null>][] = [
    ['no token', 'UNAUTHORIZED', async () => null],
    ['a malformed token', 'UNAUTHORIZED', async () => 'not-a-jwt'],
    ['three garbage segments', 'UNAUTHORIZED', async () => 'a.b.c'],
    ['a wrong signature', 'UNAUTHORIZED', () => hs256(claims('mallory'), 'another-secret-that-is-long-enough-too')],
    [
      '`alg: none`',
      'UNAUTHORIZED',
      async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims('mallory'))}.`,
    ],
    [
      'HS256 signed with the RSA public key (algorithm confusion)',
      'UNAUTHORIZED',
      async () => hs256(claims('mallory'), new TextEncoder().encode(await exportSPKI(rsa.publicKey))),
    ],
    ['RS256 with an unknown key id', 'UNAUTHORIZED', () => rs256(claims('mallory'), 'unknown-kid')],
    ['an expired token', 'UNAUTHORIZED', () => hs256(claims('late', { exp: now() - 120, iat: now() - 3600 }))],
    ['a token not valid yet', 'UNAUTHORIZED', () => hs256(claims('early', { nbf: now() + 600 }))],
    ['a token without exp', 'UNAUTHORIZED', () => hs256({ sub: 'forever', iss: ISSUER, aud: AUDIENCE })],
    ['the wrong audience', 'UNAUTHORIZED', () => hs256(claims('stranger', { aud: 'another-app' }))],
    ['the wrong issuer', 'UNAUTHORIZED', () => hs256(claims('stranger', { iss: 'https://evil.test' }))],
    ['a subject that is not a user id', 'UNAUTHORIZED', () => hs256(claims('thread:*'))],
    ['a valid HS256 token', 'OK', () => hs256(claims('alice'))],
    ['a valid RS256 token from the JWKS', 'OK', () => rs256(claims('alice'))],
    ['an RS256 token from the JWKS for the wrong audience', 'UNAUTHORIZED', () => rs256(claims('a', { aud: 'x' }))],
  ];

  it.each(cases)('answers %s with %s on a query, a mutation and a stream', async (_name, expected, makeToken) => {
    const token = await makeToken();
    const client = clientOf(token);
    expect(await codeOf(client.trpc.thread.list.query())).toBe(expected);
    expect(await codeOf(client.trpc.thread.create.mutate({}))).toBe(expected);
    const { threadId } = await bystander.api.trpc.thread.create.mutate({});
    const stream = await rawStream(server.url, { threadId }, { headers: token ? bearer(token) : {} });
    // A valid token reaches the ownership check: the thread is the bystander's, so it is not found.
    expect(stream.outcome).toBe(expected === 'OK' ? 'NOT_FOUND' : expected);
  });

  it('says why a token was refused, without internals', async () => {
    const expired = await hs256(claims('late', { exp: now() - 120, iat: now() - 3600 }));
    expect(await messageOf(clientOf(expired).trpc.thread.list.query())).toMatch(/expired/);
    expect(await messageOf(clientOf(null).trpc.thread.list.query())).toMatch(/token is required/);
    const raw = await fetch(`${server.url}/trpc/thread.list`, { headers: bearer('a.b.c') });
    expect(raw.status).toBe(401);
    expect(await raw.text()).not.toMatch(/stack|node_modules|at \w+ \(/);
  });

  it('refuses a token in connectionParams, which would travel in the URL', async () => {
    const { token } = await signIn('urlish');
    const { threadId } = await clientOf(token).trpc.thread.create.mutate({});
    const stream = await rawStream(
      server.url,
      { threadId },
      { query: { connectionParams: JSON.stringify({ token }) } },
    );
    expect(stream.outcome).toBe('UNAUTHORIZED');
    expect(stream.text).toContain('tokens in the URL are refused');
  });

  it('keeps a browser session in an HttpOnly SameSite cookie and streams with it', async () => {
    const login = await fetch(`${server.url}/trpc/auth.devLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cookie-user' }),
    });
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^threadcast_session=[\w.-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0] as string;
    const listed = await fetch(`${server.url}/trpc/thread.list`, { headers: { cookie } });
    expect(listed.status).toBe(200);
    const created = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: server.url },
      body: '{}',
    });
    const { threadId } = ((await created.json()) as { result: { data: { threadId: string } } }).result.data;
    const stream = await rawStream(
      server.url,
      { threadId },
      { headers: { cookie }, until: (t) => t.includes('connected') },
    );
    expect(stream.status).toBe(200);
    expect(stream.text).not.toContain('serialized-error');

    // Behind a trusted HTTPS proxy the cookie is Secure.
    const secure = await fetch(`${server.url}/trpc/auth.devLogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ name: 'cookie-user' }),
    });
    expect(secure.headers.get('set-cookie')).toMatch(/; Secure;/);
    // Signing out clears it.
    const ended = await fetch(`${server.url}/trpc/auth.endSession`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: server.url },
      body: '{}',
    });
    expect(ended.headers.get('set-cookie')).toMatch(/^threadcast_session=; Max-Age=0;/);
  });

  it('turns a bearer token into a session cookie, and only a bearer token', async () => {
    const token = await rs256(claims('sso-user', { name: 'SSO User' }));
    const started = await fetch(`${server.url}/trpc/auth.startSession`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status).toBe(200);
    expect(((await started.json()) as { result: { data: unknown } }).result.data).toMatchObject({
      userId: 'sso-user',
      name: 'SSO User',
    });
    const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toBe(`threadcast_session=${token}`);
    const viaCookie = await fetch(`${server.url}/trpc/auth.startSession`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: server.url },
      body: '{}',
    });
    expect(errorCodeOf(await viaCookie.text())).toBe('BAD_REQUEST');
    const session = await fetch(`${server.url}/trpc/auth.session`, { headers: { cookie } });
    expect(((await session.json()) as { result: { data: { userId: string } } }).result.data.userId).toBe('sso-user');
  });

  it('ends a stream when its token expires, and the client refreshes and resumes with nothing lost', async () => {
    const { api } = await signIn('expiring');
    const { threadId } = await api.trpc.thread.create.mutate({});
    let refreshes = 0;
    let token = await hs256(claims('expiring', { exp: now() + 2 }));
    const refreshing = createStreamingClient({
      url: `${server.url}/trpc`,
      getToken: () => token,
      EventSource,
      reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
      onUnauthorized: async () => {
        refreshes += 1;
        token = await hs256(claims('expiring'));
        return true;
      },
    });
    const follower = follow(refreshing, threadId);
    await expect.poll(() => follower.live()).toBe(true);
    // About 500 tokens 10 ms apart: the run outlasts the token, which expires within 2 seconds.
    await api.trpc.run.start.mutate({ threadId, prompt: longPrompt(500) });
    await follower.finished;
    follower.stop();
    expect(refreshes).toBe(1);
    expectExactlyOnce(follower.events);
  }, 60_000);
});

describe('isolation', () => {
  it("answers every procedure on another user's thread and run exactly like missing ones", async () => {
    const owner = await signIn('owner');
    const intruder = await signIn('intruder');
    const { threadId } = await owner.api.trpc.thread.create.mutate({ title: 'private' });
    const { runId } = await owner.api.trpc.run.start.mutate({ threadId, prompt: longPrompt(400) });
    const missingThread = 'AAAAAAAAAAAAAAAA';
    const missingRun = 'BBBBBBBBBBBBBBBB';
    const same = async (call: (thread: string, run: string) => Promise<unknown>) => {
      const theirs = await messageOf(call(threadId, runId));
      const missing = await messageOf(call(missingThread, missingRun));
      expect(await codeOf(call(threadId, runId))).toBe('NOT_FOUND');
      expect(theirs.replace(threadId, 'ID').replace(runId, 'ID')).toBe(
        missing.replace(missingThread, 'ID').replace(missingRun, 'ID'),
      );
    };
    await same((thread) => intruder.api.trpc.thread.get.query({ threadId: thread }));
    await same((thread) => intruder.api.trpc.run.start.mutate({ threadId: thread, prompt: 'mine now' }));
    await same((_, run) => intruder.api.trpc.run.get.query({ runId: run }));
    await same((_, run) => intruder.api.trpc.run.cancel.mutate({ runId: run }));
    const theirs = await rawStream(server.url, { threadId }, { headers: bearer(intruder.token) });
    const missing = await rawStream(server.url, { threadId: missingThread }, { headers: bearer(intruder.token) });
    expect(theirs.outcome).toBe('NOT_FOUND');
    expect(missing.outcome).toBe('NOT_FOUND');
    expect(await intruder.api.trpc.thread.list.query()).toEqual([]);
    expect((await owner.api.trpc.run.get.query({ runId })).state).not.toBe('cancelled');
  });

  it("never sends user B a byte of user A's events", async () => {
    const a = await signIn('alice-iso');
    const b = await signIn('bob-iso');
    const secret = `SECRET${Date.now().toString(36)}`;
    const { threadId: aThread } = await a.api.trpc.thread.create.mutate({});
    const { threadId: bThread } = await b.api.trpc.thread.create.mutate({});
    const aFollower = follow(a.api, aThread);
    // B follows its own thread for the whole of A's run (until B's own run comes), and also tries A's thread.
    let bText = '';
    const bOwn = rawStream(
      server.url,
      { threadId: bThread },
      {
        headers: bearer(b.token),
        until: (text) => {
          bText = text;
          return text.includes('bob only');
        },
        timeoutMs: 60_000,
      },
    );
    const bTheirs = await rawStream(server.url, { threadId: aThread }, { headers: bearer(b.token) });
    await expect.poll(() => aFollower.live() && bText.includes('event: connected')).toBe(true);
    await a.api.trpc.run.start.mutate({ threadId: aThread, prompt: `${secret} ${longPrompt(200)}` });
    await aFollower.finished;
    aFollower.stop();
    expect(aFollower.events.some((e) => e.event.type === 'token' && e.event.content.includes(secret))).toBe(true);
    await b.api.trpc.run.start.mutate({ threadId: bThread, prompt: 'bob only' });
    const own = await bOwn;
    expect(own.outcome).toBe('data');
    expect(own.text).toContain('bob only');
    expect(own.text).not.toContain(secret);
    expect(own.text).not.toContain(aThread);
    expect(bTheirs.outcome).toBe('NOT_FOUND');
    expect(bTheirs.text).not.toContain(secret);
  }, 60_000);
});

describe('bad input', () => {
  const crafted: [string, string][] = [
    ['a pattern star', '*'],
    ['a channel pattern', 'thread:*'],
    ['a question mark', 'a?b'],
    ['a character class', '[ab]'],
    ['a key separator', 'a:b'],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000b'],
    ['a space', 'a b'],
    ['a path', '../x'],
    ['unicode', 'ünïcödé'],
    ['an emoji', '🚀'],
    ['an empty id', ''],
    ['65 characters', 'x'.repeat(65)],
  ];

  it.each(crafted)('refuses a threadId with %s with BAD_REQUEST on every procedure', async (_name, threadId) => {
    const { api, token } = await signIn('crafty');
    expect(await codeOf(api.trpc.thread.get.query({ threadId }))).toBe('BAD_REQUEST');
    expect(await codeOf(api.trpc.run.start.mutate({ threadId, prompt: 'x' }))).toBe('BAD_REQUEST');
    expect((await rawStream(server.url, { threadId }, { headers: bearer(token) })).outcome).toBe('BAD_REQUEST');
  });

  it('refuses a 10 KB threadId as too large, before it is parsed', async () => {
    const { api, token } = await signIn('crafty');
    const threadId = 'x'.repeat(10_240);
    expect(await codeOf(api.trpc.thread.get.query({ threadId }))).toBe('PAYLOAD_TOO_LARGE');
    expect(await codeOf(api.trpc.run.start.mutate({ threadId, prompt: 'x' }))).toBe('PAYLOAD_TOO_LARGE');
    expect((await rawStream(server.url, { threadId }, { headers: bearer(token) })).outcome).toBe('PAYLOAD_TOO_LARGE');
  });

  it('never lets an input reach a Redis key or channel it does not own', async () => {
    const keys = new Redis(redis.url);
    try {
      const all = await keys.keys('*');
      expect(all.length).toBeGreaterThan(0);
      for (const key of all) expect(key).toMatch(/^[A-Za-z0-9_:{}.-]+$/);
      expect(all.some((key) => /[*?[\]\n ]|ü|🚀/.test(key))).toBe(false);
      // Only exact channels are subscribed for clients. The one pattern is the seed bridge's own, fixed one.
      const clients = ((await keys.call('CLIENT', 'LIST')) as string).trim().split('\n');
      const patterns = clients.filter((line) => !/ psub=0 /.test(line));
      expect(patterns.map((line) => /name=(\S*)/.exec(line)?.[1])).toEqual([connectionNames.subscriber]);
      expect(await keys.call('PUBSUB', 'NUMPAT')).toBe(1);
      const channels = (await keys.call('PUBSUB', 'CHANNELS')) as string[];
      for (const channel of channels) expect(channel).toMatch(/^(thread|agent_run):[A-Za-z0-9_-]+$|^threadcast:/);
    } finally {
      keys.disconnect();
    }
  });

  it('answers malformed tRPC input JSON with BAD_REQUEST, on a mutation, a query and a stream', async () => {
    const { token } = await signIn('sloppy');
    const post = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(post.status).toBe(400);
    expect(errorCodeOf(await post.text())).toBe('BAD_REQUEST');
    const get = await fetch(`${server.url}/trpc/thread.get?input=%7Bnot`, { headers: bearer(token) });
    expect(get.status).toBe(400);
    expect(errorCodeOf(await get.text())).toBe('BAD_REQUEST');
    const stream = await rawStream(server.url, null, { headers: bearer(token), rawInput: '{not' });
    expect(stream.outcome).toBe('BAD_REQUEST');
    const wrongShape = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: '[1,2,3]',
    });
    expect(errorCodeOf(await wrongShape.text())).toBe('BAD_REQUEST');
  });

  it('refuses an oversize prompt, and any input over INPUT_MAX_BYTES, with PAYLOAD_TOO_LARGE naming the limit', async () => {
    const { api } = await signIn('verbose');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const prompt = await messageOf(api.trpc.run.start.mutate({ threadId, prompt: 'x'.repeat(4_001) }));
    expect(prompt).toMatch(/4001 characters; the limit \(PROMPT_MAX_CHARS\) is 4000/);
    expect(await codeOf(api.trpc.run.start.mutate({ threadId, prompt: 'x'.repeat(4_001) }))).toBe('PAYLOAD_TOO_LARGE');
    expect(await codeOf(api.trpc.run.start.mutate({ threadId, prompt: 'x'.repeat(4_000) }))).toBe('OK');
    const input = await messageOf(api.trpc.thread.create.mutate({ title: 'x'.repeat(9_000) }));
    expect(input).toMatch(/the limit \(INPUT_MAX_BYTES\) is 8192/);
    expect(await codeOf(api.trpc.auth.devLogin.mutate({ name: 'x'.repeat(9_000) }))).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['not an id', 'x', 'BAD_REQUEST'],
    ['an upper-case epoch', 'ABC:1', 'BAD_REQUEST'],
    ['a negative seq', 'abc:-1', 'BAD_REQUEST'],
    ['a seq with a leading zero', 'abc:01', 'BAD_REQUEST'],
    ['two separators', 'a:1:2', 'BAD_REQUEST'],
    ['a live part of zero', 'abc:1.0', 'BAD_REQUEST'],
    ['a seq beyond 2^53', 'abc:99999999999999999', 'BAD_REQUEST'],
    ['51 characters', `${'a'.repeat(16)}:${'1'.repeat(34)}`, 'BAD_REQUEST'],
    ['a number', 42, 'BAD_REQUEST'],
    ['10 KB', `abc:${'1'.repeat(10_240)}`, 'PAYLOAD_TOO_LARGE'],
  ])('refuses a lastEventId that is %s', async (_name, lastEventId, code) => {
    const { api, token } = await signIn('resumer');
    const { threadId } = await api.trpc.thread.create.mutate({});
    expect((await rawStream(server.url, { threadId, lastEventId }, { headers: bearer(token) })).outcome).toBe(code);
  });

  it('refuses a stream beyond STREAMS_PER_USER with TOO_MANY_REQUESTS, and takes it once one closes', async () => {
    const { api, token } = await signIn('greedy');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const open = [follow(api, threadId), follow(api, threadId), follow(api, threadId)];
    await expect.poll(() => open.every((f) => f.live())).toBe(true);
    // `live` may come before the server takes the slot: wait until a fourth is refused.
    const probe = async (as: string, thread: string) =>
      rawStream(
        server.url,
        { threadId: thread },
        {
          headers: bearer(as),
          until: (text) => text.includes('event: ping') || text.includes('serialized-error'),
        },
      );
    await expect.poll(async () => (await probe(token, threadId)).outcome).toBe('TOO_MANY_REQUESTS');
    expect((await probe(token, threadId)).text).toContain('the limit (STREAMS_PER_USER) is 3');
    // Another user is not affected.
    const other = await signIn('modest');
    const { threadId: otherThread } = await other.api.trpc.thread.create.mutate({});
    expect((await probe(other.token, otherThread)).outcome).toBe('until');
    open[0]?.stop();
    await expect.poll(async () => (await probe(token, threadId)).outcome).toBe('until');
    for (const follower of open) follower.stop();
  });

  it('refuses a run.start flood beyond RUN_STARTS_PER_MINUTE with TOO_MANY_REQUESTS, for that user only', async () => {
    const { api } = await signIn('flooder');
    const { threadId } = await api.trpc.thread.create.mutate({});
    const results = await Promise.all(
      Array.from({ length: 9 }, () => codeOf(api.trpc.run.start.mutate({ threadId, prompt: 'again' }))),
    );
    expect(results.filter((code) => code === 'OK')).toHaveLength(5);
    expect(results.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(4);
    expect(await messageOf(api.trpc.run.start.mutate({ threadId, prompt: 'again' }))).toMatch(
      /the limit \(RUN_STARTS_PER_MINUTE\) is 5 a minute; retry in \d+ s/,
    );
    const other = await signIn('patient');
    const { threadId: otherThread } = await other.api.trpc.thread.create.mutate({});
    expect(await codeOf(other.api.trpc.run.start.mutate({ threadId: otherThread, prompt: 'mine' }))).toBe('OK');
  });

  it('kept serving the bystander, who streamed through all of the above', async () => {
    expect(bystander.follower.live()).toBe(true);
    await bystander.api.trpc.run.start.mutate({ threadId: bystander.threadId, prompt: 'still here' });
    await bystander.follower.finished;
    expectExactlyOnce(bystander.follower.events);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
