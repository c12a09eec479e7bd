import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readEnv } from './env.ts';
import { DEFAULT_REQUEST_LIMITS } from './request-limits.ts';
import { WEB_CONTENT_SECURITY_POLICY } from './security-headers.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const ALLOWED = 'https://app.example.com';
const FOREIGN = 'https://evil.example';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ corsOrigins: [ALLOWED] });
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

async function signIn(name: string): Promise<string> {
  const response = await fetch(`${server.url}/trpc/auth.devLogin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as { result: { data: { token: string } } };
  return body.result.data.token;
}

function createThread(token: string | null, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/trpc/thread.create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: '{}',
  });
}

function corsHeaders(response: Response): string[] {
  return [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
}

interface ErrorBody {
  error: { message: string; code: number; data: { code: string; httpStatus: number } };
}

/** Reads a tRPC error response, checking that it carries no stack trace anywhere. */
async function errorBody(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  expect(text).not.toContain('"stack"');
  return JSON.parse(text) as ErrorBody;
}

describe('CORS_ORIGINS in the environment', () => {
  it('accepts exact http(s) origins and defaults to none', () => {
    expect(readEnv({}).CORS_ORIGINS).toEqual([]);
    const origins = readEnv({ CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` }).CORS_ORIGINS;
    expect(origins).toEqual([ALLOWED, 'http://localhost:5173']);
  });

  it.each([
    ['*', /"\*" is not allowed/],
    [`${ALLOWED}/`, /browsers send it/],
    [`${ALLOWED}/app`, /browsers send it/],
    ['app.example.com', /not a URL/],
    ['ftp://files.example.com', /not an http or https origin/],
    [`${ALLOWED},*`, /"\*" is not allowed/],
  ])('refuses %s', (value, reason) => {
    expect(() => readEnv({ CORS_ORIGINS: value })).toThrow(reason);
    expect(() => readEnv({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
  });
});

describe('CORS', () => {
  it('answers a preflight from a listed origin with the allowed methods and headers', async () => {
    const response = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-headers')?.split(', ')).toEqual([
      'authorization',
      'content-type',
      'trpc-accept',
      'last-event-id',
      'x-trpc-source',
    ]);
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(response.headers.get('vary')).toMatch(/origin/i);
  });

  it('refuses a preflight from any other origin, without CORS headers', async () => {
    const response = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'OPTIONS',
      headers: { origin: FOREIGN, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual([]);
  });

  it('lets a listed origin read responses with credentials, and no other', async () => {
    const token = await signIn('cors');
    const list = (origin: string) =>
      fetch(`${server.url}/trpc/thread.list`, { headers: { origin, authorization: `Bearer ${token}` } });

    const allowed = await list(ALLOWED);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toMatch(/\borigin\b/i);
    expect(allowed.headers.get('vary')).toMatch(/trpc-accept/);

    const foreign = await list(FOREIGN);
    expect(foreign.status).toBe(200);
    expect(corsHeaders(foreign)).toEqual([]);
  });

  it('sends no CORS headers at all when no origin is listed', async () => {
    await using plain = await startTestServer();
    const response = await fetch(`${plain.url}/trpc/thread.create`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual([]);
  });
});

describe('cross-site requests', () => {
  it('refuses a state-changing request from a foreign site, and does nothing', async () => {
    const token = await signIn('victim');
    for (const origin of [FOREIGN, 'null', `http://evil.${new URL(server.url).host}`]) {
      const response = await createThread(token, { origin });
      expect(response.status).toBe(403);
      const body = await errorBody(response);
      expect(body.error.message).toMatch(/^cross-origin request refused/);
      expect(body.error.data.code).toBe('FORBIDDEN');
    }
    const list = await fetch(`${server.url}/trpc/thread.list`, { headers: { authorization: `Bearer ${token}` } });
    expect(await list.json()).toEqual({ result: { data: [] } });
  });

  it('lets the same origin, a listed origin and non-browser clients (no Origin) through', async () => {
    const token = await signIn('friend');
    expect((await createThread(token, { origin: server.url })).status).toBe(200);
    expect((await createThread(token, { origin: ALLOWED })).status).toBe(200);
    expect((await createThread(token)).status).toBe(200);
  });
});

describe('security headers', () => {
  it('guards every page of the web app', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'threadcast-web-'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>threadcast</title>');
    await using web = await startTestServer({ webDist: dist });
    for (const path of ['/', '/threads/abc']) {
      const response = await fetch(`${web.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(WEB_CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('marks API responses nosniff and uncacheable', async () => {
    const token = await signIn('headers');
    const response = await fetch(`${server.url}/trpc/thread.list`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('guards event streams like other API responses, with and without CORS origins configured', async () => {
    const token = await signIn('stream-headers');
    await using proxied = await startTestServer({ trustProxy: true });
    const input = encodeURIComponent(JSON.stringify({ threadId: 'any-thread' }));
    // `server` has CORS origins, so a stream's headers are set one by one; `proxied` sends them in one writeHead.
    for (const url of [server.url, proxied.url]) {
      for (const proto of ['http', 'https']) {
        const controller = new AbortController();
        const response = await fetch(`${url}/trpc/thread.onEvent?input=${input}`, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, 'x-forwarded-proto': proto },
          signal: controller.signal,
        });
        const header = (name: string) => response.headers.get(name);
        expect(header('content-type')).toBe('text/event-stream');
        expect(header('cache-control')).toBe('no-cache, no-transform');
        expect(header('x-content-type-options')).toBe('nosniff');
        expect(header('referrer-policy')).toBe('no-referrer');
        expect(header('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
        const hsts = url === proxied.url && proto === 'https';
        expect(header('strict-transport-security')).toEqual(hsts ? expect.stringMatching(/^max-age=\d+/) : null);
        controller.abort();
      }
    }
  });

  it('sends HSTS only behind a trusted proxy that saw https', async () => {
    await using proxied = await startTestServer({ trustProxy: true });
    const over = async (url: string, proto: string) =>
      (await fetch(`${url}/healthz`, { headers: { 'x-forwarded-proto': proto } })).headers.get(
        'strict-transport-security',
      );
    expect(await over(proxied.url, 'https')).toMatch(/^max-age=\d+/);
    expect(await over(proxied.url, 'http')).toBeNull();
    expect(await over(server.url, 'https')).toBeNull();
  });

  it('makes the session cookie Secure only when a trusted proxy saw https', async () => {
    await using proxied = await startTestServer({ trustProxy: true });
    const cookieOver = async (url: string, proto: string) => {
      const response = await fetch(`${url}/trpc/auth.devLogin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': proto },
        body: JSON.stringify({ name: 'proxied' }),
      });
      return response.headers.get('set-cookie') ?? '';
    };
    expect(await cookieOver(proxied.url, 'https')).toMatch(/^threadcast_session=.*; Secure;/);
    expect(await cookieOver(proxied.url, 'http')).toMatch(/^threadcast_session=/);
    expect(await cookieOver(proxied.url, 'http')).not.toMatch(/Secure/);
    // A client can't ask for Secure by sending the header itself when no proxy is trusted.
    expect(await cookieOver(server.url, 'https')).not.toMatch(/Secure/);
  });
});

describe('request size limits', () => {
  const { bodyMaxBytes, urlMaxBytes } = DEFAULT_REQUEST_LIMITS;

  it('refuses a body over BODY_MAX_BYTES with 413, naming the limit, and serves the next request', async () => {
    const token = await signIn('big');
    const body = JSON.stringify({ title: 'x'.repeat(bodyMaxBytes) });
    const response = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    expect(response.status).toBe(413);
    const error = await errorBody(response);
    expect(error.error.message).toBe(
      `request body is ${body.length} bytes; the limit (BODY_MAX_BYTES) is ${bodyMaxBytes}`,
    );
    expect(error.error.data).toEqual({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect((await createThread(token)).status).toBe(200);
  });

  it('counts a body sent without Content-Length as it arrives', async () => {
    const token = await signIn('chunked');
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > bodyMaxBytes) controller.close();
        else controller.enqueue(chunk);
        sent += chunk.byteLength;
      },
    });
    const response = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    const error = await errorBody(response);
    expect(error.error.data.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.error.message).toMatch(/BODY_MAX_BYTES/);
    expect((await createThread(token)).status).toBe(200);
  });

  it('refuses a URL over URL_MAX_BYTES with 414, naming the limit', async () => {
    const input = encodeURIComponent(JSON.stringify({ threadId: 'x'.repeat(20_000) }));
    const path = `/trpc/thread.get?input=${input}`;
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(414);
    const error = await errorBody(response);
    expect(error.error.message).toBe(
      `request URL is ${path.length} bytes; the limit (URL_MAX_BYTES) is ${urlMaxBytes}`,
    );
    expect(error.error.data).toEqual({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 414 });
  });
});

describe('error responses', () => {
  it('carry no stack for UNAUTHORIZED and BAD_REQUEST, and keep the input problem in the message', async () => {
    const unauthorized = await fetch(`${server.url}/trpc/thread.list`);
    expect(unauthorized.status).toBe(401);
    expect((await errorBody(unauthorized)).error.data.code).toBe('UNAUTHORIZED');

    const token = await signIn('sloppy');
    const invalid = await fetch(`${server.url}/trpc/thread.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: 't'.repeat(201) }),
    });
    expect(invalid.status).toBe(400);
    const error = await errorBody(invalid);
    expect(error.error.data.code).toBe('BAD_REQUEST');
    expect(error.error.message).toMatch(/title/);
  });

  it('hide what an unexpected failure said, with a generic message', async () => {
    const token = await signIn('unlucky');
    const failure = vi
      .spyOn(server.backend.threads, 'listByOwner')
      .mockRejectedValueOnce(new Error('connection to 10.0.0.7:6379 refused'));
    const response = await fetch(`${server.url}/trpc/thread.list`, { headers: { authorization: `Bearer ${token}` } });
    failure.mockRestore();
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain('10.0.0.7');
    expect((await errorBody(response)).error.message).toBe('internal server error');
  });

  it('carry no stack in an SSE serialized-error event', async () => {
    const token = await signIn('streamer');
    const created = await createThread(token);
    const { threadId } = ((await created.json()) as { result: { data: { threadId: string } } }).result.data;
    const input = encodeURIComponent(JSON.stringify({ threadId, lastEventId: 'not-an-id' }));
    const controller = new AbortController();
    const response = await fetch(`${server.url}/trpc/thread.onEvent?input=${input}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (/event: serialized-error\ndata: .*\n/.test(text)) break;
    }
    controller.abort();
    const data = /event: serialized-error\ndata: (.*)\n/.exec(text)?.[1];
    expect(data).toBeDefined();
    expect(data).not.toContain('"stack"');
    expect(JSON.parse(data as string)).toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });
});
