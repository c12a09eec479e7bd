import { type AppProcess, startServerProcess, WAIT_TIMEOUT_MS } from '@threadcast/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCodeOf, rawStream } from './testing/raw-sse.ts';

/**
 * Random input at every procedure of a real server process: whatever arrives, the answer is a typed
 * client error or a success, never a 500, a crash or a hang.
 */

const CLIENT_ERRORS = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_SUPPORTED',
]);
const MUTATIONS = [
  'auth.devLogin',
  'auth.startSession',
  'auth.endSession',
  'thread.create',
  'thread.rename',
  'run.start',
  'run.cancel',
];
const SUBSCRIPTIONS = ['thread.onEvent', 'thread.onActivity'];
const QUERIES = ['auth.session', 'thread.list', 'thread.get', 'run.get'];
// Any finite deadline tells a hang; a loaded machine may take seconds to answer one request.
const REQUEST_DEADLINE_MS = WAIT_TIMEOUT_MS;

let server: AppProcess;
let token: string;
let threadId: string;
let runId: string;

beforeAll(async () => {
  server = await startServerProcess({
    AUTH_SECRET: 'fuzz-test-secret-long-enough-for-hs256-x',
    AUTH_DEV_LOGIN: '1',
    SSE_HEARTBEAT_MS: '300',
    AGENT_TOKEN_DELAY_MS: '0',
  });
  const login = await fetch(`${server.url}/trpc/auth.devLogin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fuzzer' }),
  });
  token = ((await login.json()) as { result: { data: { token: string } } }).result.data.token;
  const call = async (path: string, input: unknown) => {
    const response = await fetch(`${server.url}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(input),
    });
    return ((await response.json()) as { result: { data: Record<string, string> } }).result.data;
  };
  threadId = (await call('thread.create', {})).threadId as string;
  runId = (await call('run.start', { threadId, prompt: 'a real run' })).runId as string;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const ids = () =>
  fc.oneof(
    fc.constantFrom(threadId, runId, '*', 'thread:*', '', 'a\nb', '../x', 'ü', 'x'.repeat(20_000), 'y'.repeat(70_000)),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    fc.string({ unit: 'binary', maxLength: 80 }),
  );

const inputs = () =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        threadId: ids(),
        runId: ids(),
        prompt: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constant('p'.repeat(30_000))),
        lastEventId: fc.oneof(
          fc.constant(null),
          fc.string({ maxLength: 60 }),
          fc.stringMatching(/^[a-z0-9]{1,16}:\d{1,17}$/),
        ),
        name: fc.string({ unit: 'binary', maxLength: 80 }),
        title: fc.string({ unit: 'binary', maxLength: 300 }),
      },
      { requiredKeys: [] },
    ),
  );

const auth = () =>
  fc.constantFrom<(() => Record<string, string>)[]>(
    () => ({}),
    () => ({ authorization: `Bearer ${token}` }),
    () => ({ authorization: 'Bearer not.a.token' }),
    () => ({ cookie: `threadcast_session=${token}` }),
  );

function expectHandled(status: number, body: string): void {
  expect(status, body).toBeLessThan(500);
  // Node refuses request heads beyond its own limit (URL_MAX_BYTES + 16 KiB) before the app sees them.
  if (status === 431) return;
  if (status >= 400) expect(CLIENT_ERRORS.has(errorCodeOf(body) ?? ''), body).toBe(true);
  expect(body).not.toMatch(/"stack"|node_modules/);
}

it('answers random input at every procedure with a typed error or a success, never a 500 or a hang', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...MUTATIONS, ...QUERIES, ...SUBSCRIPTIONS),
      inputs(),
      auth(),
      fc.option(fc.string({ unit: 'binary', maxLength: 200 }), { freq: 5 }),
      async (path, input, headersOf, rawBody) => {
        const headers = headersOf();
        if (SUBSCRIPTIONS.includes(path)) {
          const stream = await rawStream(server.url, input, {
            headers,
            path,
            until: (text) => /event: (ping|serialized-error)|^data: (?!\{"reconnect)/m.test(text),
            timeoutMs: REQUEST_DEADLINE_MS,
          });
          expect(stream.outcome, stream.text).not.toBe('timeout');
          expect(stream.outcome).not.toBe('INTERNAL_SERVER_ERROR');
          expect(stream.status, stream.text).toBeLessThan(500);
          expect(stream.text).not.toMatch(/"stack"|node_modules/);
          return;
        }
        const signal = AbortSignal.timeout(REQUEST_DEADLINE_MS);
        const response = MUTATIONS.includes(path)
          ? await fetch(`${server.url}/trpc/${path}`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: rawBody ?? JSON.stringify(input),
              signal,
            })
          : await fetch(`${server.url}/trpc/${path}?${new URLSearchParams({ input: JSON.stringify(input) ?? '' })}`, {
              headers,
              signal,
            });
        expectHandled(response.status, await response.text());
      },
    ),
    { numRuns: 1_000 },
  );
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect(server.child.exitCode).toBeNull();
}, 180_000);
