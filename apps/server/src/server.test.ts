import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppRouter } from '@threadcast/api';
import { createStreamingClient, type StreamingClient } from '@threadcast/client';
import { parseEventId, type StreamEvent } from '@threadcast/contract';
import { demoReply } from '@threadcast/runner';
import { TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.ts';

let server: TestServer;

function client(token: string | null): StreamingClient {
  return createStreamingClient({ url: `${server.url}/trpc`, getToken: () => token, EventSource });
}

async function signIn(name: string): Promise<StreamingClient> {
  const { token } = await client(null).trpc.auth.devLogin.mutate({ name });
  return client(token);
}

/** Collects a thread's events until `done` or `error`, then stops the stream. */
async function untilRunEnds(
  api: StreamingClient,
  threadId: string,
  options: { lastEventId?: string | null; onOpen?: () => Promise<void> } = {},
): Promise<{ id: string; event: StreamEvent }[]> {
  const received: { id: string; event: StreamEvent }[] = [];
  const controller = new AbortController();
  const stream = api.events(threadId, { lastEventId: options.lastEventId, signal: controller.signal });
  const opened = options.onOpen ? expect.poll(() => server.backend.bus.stats().subscribers).toBeGreaterThan(0) : null;
  if (opened) void opened.then(() => options.onOpen?.());
  for await (const item of stream) {
    received.push(item);
    if (item.event.type === 'done' || item.event.type === 'error') break;
  }
  controller.abort();
  return received;
}

async function expectTRPCError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  expect((error as TRPCClientError<AppRouter>).data?.code).toBe(code);
}

describe('the server', () => {
  beforeAll(async () => {
    server = await startTestServer({ heartbeatMs: 200, tokenDelayMs: 1 });
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  describe('thread.onEvent over SSE', () => {
    it('streams a run token by token, in order, with non-ASCII text intact', async () => {
      const api = await signIn('alice');
      const { threadId } = await api.trpc.thread.create.mutate({ title: 'Grüße 🚀' });
      const prompt = 'Say hello in 3 languages — 你好, ¡hola!, and 👋';
      const events = await untilRunEnds(api, threadId, {
        onOpen: async () => {
          await api.trpc.run.start.mutate({ threadId, prompt });
        },
      });
      const types = events.map((e) => e.event.type);
      expect(types.slice(0, 2)).toEqual(['status', 'status']);
      expect(types.at(-1)).toBe('done');
      const tokens = events.filter((e) => e.event.type === 'token').map((e) => e.event.content as string);
      const done = events.at(-1)?.event;
      if (done?.type !== 'done') throw new Error('no done event');
      expect(done.content.text).toBe(demoReply(prompt));
      expect(tokens.join('')).toBe(done.content.text);
      expect(done.content.tokenCount).toBe(tokens.length);
      const seqs = events.map((e) => parseEventId(e.id)?.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
      expect((await api.trpc.thread.list.query()).map((t) => t.title)).toContain('Grüße 🚀');
    });

    it('starts a late subscriber at the beginning of the latest run', async () => {
      const api = await signIn('late');
      const { threadId } = await api.trpc.thread.create.mutate({});
      await api.trpc.run.start.mutate({ threadId, prompt: 'first' });
      await untilRunEnds(api, threadId);
      await api.trpc.run.start.mutate({ threadId, prompt: 'second' });
      const events = await untilRunEnds(api, threadId);
      expect(events[0]?.event).toMatchObject({ type: 'status', content: { state: 'queued' } });
      expect(events.at(-1)?.event).toMatchObject({ type: 'done', content: { text: demoReply('second') } });
    });

    it('resumes after lastEventId without repeating or skipping an event', async () => {
      const api = await signIn('resumer');
      const { threadId } = await api.trpc.thread.create.mutate({});
      await api.trpc.run.start.mutate({ threadId, prompt: 'resume me' });
      const all = await untilRunEnds(api, threadId);
      const cut = all[5];
      if (!cut) throw new Error('run too short');
      const rest = await untilRunEnds(api, threadId, { lastEventId: cut.id });
      expect(rest.map((e) => e.id)).toEqual(all.slice(6).map((e) => e.id));
    });

    it('releases every bus subscription after many connect and abort cycles', async () => {
      const api = await signIn('cycler');
      const { threadId } = await api.trpc.thread.create.mutate({});
      for (let cycle = 0; cycle < 20; cycle += 1) {
        const controller = new AbortController();
        const stream = api.events(threadId, { signal: controller.signal })[Symbol.asyncIterator]();
        const first = stream.next();
        await expect.poll(() => server.backend.bus.stats().subscribers).toBeGreaterThan(0);
        await api.trpc.run.start.mutate({ threadId, prompt: `cycle ${cycle}` });
        await first;
        controller.abort();
        await stream.return?.();
      }
      await expect.poll(() => server.backend.bus.stats()).toEqual({ subscribers: 0, channels: 0 });
    });
  });

  describe('the SSE wire', () => {
    it('sends streaming headers, the reconnect setting, heartbeats and event ids', async () => {
      const { token } = await client(null).trpc.auth.devLogin.mutate({ name: 'wire' });
      const api = client(token);
      const { threadId } = await api.trpc.thread.create.mutate({});
      await api.trpc.run.start.mutate({ threadId, prompt: 'wire' });
      const query = new URLSearchParams({ input: JSON.stringify({ threadId }) });
      const controller = new AbortController();
      const response = await fetch(`${server.url}/trpc/thread.onEvent?${query}`, {
        signal: controller.signal,
        headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip, br', authorization: `Bearer ${token}` },
      });
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      expect(response.headers.get('connection')).toBe('keep-alive');
      expect(response.headers.get('content-encoding')).toBeNull();
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes('event: ping') && text.includes('"type":"done"')) break;
      }
      controller.abort();
      expect(text).toMatch(/^event: connected\ndata: \{"reconnectAfterInactivityMs":500\}/);
      expect(text).toMatch(/\nid: [a-z0-9]+:1\n/);
      expect(text).toContain('event: ping');
    });

    it('resumes after a Last-Event-ID header, as EventSource sends it, and keeps the stream open', async () => {
      const { token } = await client(null).trpc.auth.devLogin.mutate({ name: 'wire-resume' });
      const api = client(token);
      const { threadId } = await api.trpc.thread.create.mutate({});
      await api.trpc.run.start.mutate({ threadId, prompt: 'resume me by header' });
      const all = await untilRunEnds(api, threadId);
      const cut = all[2]?.id as string;
      const query = new URLSearchParams({ input: JSON.stringify({ threadId }) });
      const controller = new AbortController();
      const response = await fetch(`${server.url}/trpc/thread.onEvent?${query}`, {
        signal: controller.signal,
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, 'last-event-id': cut },
      });
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes('"type":"done"')) break;
      }
      controller.abort();
      const ids = [...text.matchAll(/\nid: (\S+)\n/g)].map((match) => match[1]);
      expect(ids).toEqual(all.slice(3).map((item) => item.id));
      expect(text).not.toContain('event: return');
    });
  });

  describe('errors', () => {
    it('refuses requests without a valid token with UNAUTHORIZED', async () => {
      await expectTRPCError(client(null).trpc.thread.create.mutate({}), 'UNAUTHORIZED');
      await expectTRPCError(client('not.a.jwt').trpc.thread.list.query(), 'UNAUTHORIZED');
      const { token: forged } = await server.tokens.issue({ id: 'mallory', name: 'mallory' });
      await expectTRPCError(client(`${forged.slice(0, -4)}AAAA`).trpc.thread.list.query(), 'UNAUTHORIZED');
      const error = await new Promise((resolve) => {
        client(null).watchThread('abc', { onError: resolve });
      });
      expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    });

    it("answers another user's thread exactly like a missing one", async () => {
      const owner = await signIn('owner');
      const intruder = await signIn('intruder');
      const { threadId } = await owner.trpc.thread.create.mutate({});
      await expectTRPCError(intruder.trpc.run.start.mutate({ threadId, prompt: 'hi' }), 'NOT_FOUND');
      await expectTRPCError(intruder.trpc.run.start.mutate({ threadId: 'nonexistent', prompt: 'hi' }), 'NOT_FOUND');
      const error = await new Promise((resolve) => {
        intruder.watchThread(threadId, { onError: resolve });
      });
      expect((error as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
      expect(await intruder.trpc.thread.list.query()).toEqual([]);
    });

    it('rejects malformed input with BAD_REQUEST', async () => {
      const api = await signIn('sloppy');
      const { threadId } = await api.trpc.thread.create.mutate({});
      await expectTRPCError(api.trpc.run.start.mutate({ threadId, prompt: '   ' }), 'BAD_REQUEST');
      await expectTRPCError(api.trpc.run.start.mutate({ threadId: 'thread:*', prompt: 'x' }), 'BAD_REQUEST');
      await expectTRPCError(api.trpc.run.start.mutate({ threadId: 'x'.repeat(10_000), prompt: 'x' }), 'BAD_REQUEST');
      await expectTRPCError(api.trpc.thread.create.mutate({ title: 't'.repeat(201) }), 'BAD_REQUEST');
      await expectTRPCError(client(null).trpc.auth.devLogin.mutate({ name: 'a b*' }), 'BAD_REQUEST');
      const error = await new Promise((resolve) => {
        api.watchThread(threadId, { lastEventId: 'not-an-id', onError: resolve });
      });
      expect((error as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
      const { token } = await client(null).trpc.auth.devLogin.mutate({ name: 'sloppy' });
      const raw = await fetch(`${server.url}/trpc/thread.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{not json',
      });
      expect(raw.status).toBe(400);
    });
  });

  describe('the rest of the HTTP surface', () => {
    it('answers /healthz and serves the web app with a fallback to index.html', async () => {
      const dist = await mkdtemp(join(tmpdir(), 'threadcast-web-'));
      await writeFile(join(dist, 'index.html'), '<!doctype html><title>threadcast</title>');
      await using web = await startTestServer({ webDist: dist });
      expect(await (await fetch(`${web.url}/healthz`)).text()).toBe('ok\n');
      expect(await (await fetch(`${web.url}/`)).text()).toContain('<title>threadcast</title>');
      expect(await (await fetch(`${web.url}/threads/abc`)).text()).toContain('<title>threadcast</title>');
    });
  });
});
