import { setTimeout as sleep } from 'node:timers/promises';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClientError } from '@trpc/client';
import { initTRPC, TRPCError, tracked } from '@trpc/server';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createConfiguredRouter, protectedProcedure, streamProcedure } from '../trpc.ts';
import { pushStream } from './push-stream.ts';
import { SseWriter } from './sse-writer.ts';
import type { StreamOptions } from './stream-settings.ts';
import { startStreamServer } from './testing/stream-server.ts';

/** What a generator procedure saw of its own life: how many are running now, and how many ran their `finally`. */
const life = { running: 0, finished: 0 };
/** Whether each call of `test.pushed` was given a signal. */
const pushedSignals: boolean[] = [];

const procedures = {
  test: {
    /** `count` numbered ticks (tracked, resumable after `lastEventId`), every `everyMs`; endless without count. */
    ticks: streamProcedure
      .input(
        z.object({
          count: z.number().int().positive().optional(),
          everyMs: z.number().int().min(0).default(0),
          lastEventId: z.string().nullish(),
        }),
      )
      .subscription(async function* ({ input, signal }) {
        life.running += 1;
        try {
          let tick = input.lastEventId ? Number(input.lastEventId) + 1 : 0;
          for (; input.count === undefined || tick < input.count; tick += 1) {
            if (input.everyMs > 0) await sleep(input.everyMs, undefined, { signal });
            yield tracked(String(tick), { tick });
          }
        } finally {
          life.running -= 1;
          life.finished += 1;
        }
      }),
    /** Dates both ways: the transformer must carry them. */
    dates: streamProcedure.input(z.object({ since: z.date() })).subscription(async function* ({ input }) {
      yield tracked('1', { since: input.since, next: new Date(input.since.getTime() + 1_000) });
    }),
    /** An untracked value, then a failure of the procedure's own. */
    fails: streamProcedure.subscription(async function* () {
      yield { untracked: true };
      throw new TRPCError({ code: 'CONFLICT', message: 'the tick clashed' });
    }),
    /** A subscription that skipped streamProcedure: the writer refuses it. */
    unguarded: protectedProcedure.subscription(async function* () {
      yield 1;
    }),
    hello: protectedProcedure.query(() => 'hello'),
    /** A push stream of one item, which then stays open. */
    pushed: streamProcedure.subscription(({ signal }) => {
      pushedSignals.push(signal !== undefined);
      return pushStream<{ pushed: true }>((sink) => {
        sink.deliver({ id: '1', event: { pushed: true } });
        return { resume() {}, stop: () => sink.end() };
      });
    }),
  },
};

function routerWith(options: Partial<StreamOptions> = {}) {
  return createConfiguredRouter(procedures, { heartbeatMs: 50, ...options });
}

type TestRouter = ReturnType<typeof routerWith>;

function clientOf(url: string, token: string, transformer?: typeof superjson) {
  const headers = { authorization: `Bearer ${token}` };
  // The link options' types follow the router's, which says "no transformer"; superjson is checked at run time.
  const transforming = (transformer ? { transformer } : {}) as { transformer: typeof superjson };
  const links = [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({
        url: `${url}/trpc`,
        EventSource,
        eventSourceOptions: {
          fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
        },
        ...transforming,
      }),
      false: httpBatchLink({ url: `${url}/trpc`, headers, ...transforming }),
    }),
  ];
  // The test router's type says no transformer; the superjson one is checked at run time.
  return createTRPCClient<TestRouter>({ links } as Parameters<typeof createTRPCClient<TestRouter>>[0]);
}

/** A raw SSE read of `path` until `until` holds (or the server ends the response). */
async function readRaw(
  url: string,
  path: string,
  input: unknown,
  headers: Record<string, string>,
  until: (text: string) => boolean,
): Promise<{ status: number; contentType: string | null; text: string }> {
  const controller = new AbortController();
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${url}/trpc/${path}${query}`, { headers, signal: controller.signal });
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (until(text)) break;
    }
  } finally {
    controller.abort();
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text };
}

/** A whole `serialized-error` frame was read (its `data:` line may come in a later chunk than its `event:` line). */
const errorFrameRead = (text: string) => /event: serialized-error\ndata: .*\n\n/.test(text);

const sse = (token: string) => ({ accept: 'text/event-stream', authorization: `Bearer ${token}` });

describe('the SSE writer, driven by the real httpSubscriptionLink', () => {
  it('delivers tracked data with ids, then completes on `return`; a query goes through tRPC as usual', async () => {
    await using server = await startStreamServer(routerWith());
    const client = clientOf(server.url, await server.token('link'));
    expect(await client.test.hello.query()).toBe('hello');
    const got: { id: string; tick: number }[] = [];
    let started = false;
    await new Promise<void>((resolve, reject) => {
      client.test.ticks.subscribe(
        { count: 3 },
        {
          onStarted: () => {
            started = true;
          },
          onData: (envelope) => got.push({ id: envelope.id, tick: envelope.data.tick }),
          onError: reject,
          onComplete: resolve,
        },
      );
    });
    expect(started).toBe(true);
    expect(got).toEqual([
      { id: '0', tick: 0 },
      { id: '1', tick: 1 },
      { id: '2', tick: 2 },
    ]);
  });

  it('resumes after the `lastEventId` input, as the link sends it on reconnect', async () => {
    await using server = await startStreamServer(routerWith());
    const client = clientOf(server.url, await server.token('resume'));
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.test.ticks.subscribe(
        { count: 4, lastEventId: '1' },
        { onData: (envelope) => got.push(envelope.id), onError: reject, onComplete: resolve },
      );
    });
    expect(got).toEqual(['2', '3']);
  });

  it('hands the procedure error to onError, typed and shaped as tRPC shapes it', async () => {
    await using server = await startStreamServer(routerWith());
    const client = clientOf(server.url, await server.token('failing'));
    const data: unknown[] = [];
    const error = await new Promise<TRPCClientError<TestRouter>>((resolve) => {
      client.test.fails.subscribe(undefined, { onData: (value) => data.push(value), onError: resolve });
    });
    expect(data).toEqual([{ untracked: true }]);
    expect(error.message).toBe('the tick clashed');
    expect(error.data).toEqual({ code: 'CONFLICT', httpStatus: 409, path: 'test.fails' });
  });

  it('carries a Date both ways with superjson, the transformer the router was built with', async () => {
    await using server = await startStreamServer(routerWith({ transformer: superjson }));
    const client = clientOf(server.url, await server.token('dates'), superjson);
    const since = new Date('2026-12-05T12:00:00.000Z');
    const received = await new Promise<{ since: Date; next: Date }>((resolve, reject) => {
      const subscription = client.test.dates.subscribe(
        { since },
        {
          onData: (envelope) => {
            subscription.unsubscribe();
            resolve(envelope.data as unknown as { since: Date; next: Date });
          },
          onError: reject,
        },
      );
    });
    expect(received.since).toBeInstanceOf(Date);
    expect(received.since.toISOString()).toBe('2026-12-05T12:00:00.000Z');
    expect(received.next.toISOString()).toBe('2026-12-05T12:00:01.000Z');
  });
});

describe('the SSE writer on the wire', () => {
  it('sends connected with the client options, pings, data with id, and `return` at the end', async () => {
    await using server = await startStreamServer(routerWith());
    const token = await server.token('wire');
    const open = await readRaw(server.url, 'test.ticks', { everyMs: 40 }, sse(token), (text) =>
      text.includes('event: ping'),
    );
    expect(open.status).toBe(200);
    expect(open.contentType).toBe('text/event-stream');
    expect(open.text).toMatch(/^event: connected\ndata: \{"reconnectAfterInactivityMs":125\}\n\n/);
    const done = await readRaw(server.url, 'test.ticks', { count: 2 }, sse(token), (text) =>
      text.includes('event: return\ndata: \n\n'),
    );
    expect(done.text).toContain('data: {"tick":0}\nid: 0\n\n');
    expect(done.text).toContain('data: {"tick":1}\nid: 1\n\n');
    expect(done.text.endsWith('event: return\ndata: \n\n')).toBe(true);
  });

  it('resumes after a Last-Event-ID header, as a browser EventSource sends it', async () => {
    await using server = await startStreamServer(routerWith());
    const token = await server.token('header');
    const { text } = await readRaw(
      server.url,
      'test.ticks',
      { count: 3 },
      { ...sse(token), 'last-event-id': '0' },
      (text) => text.includes('event: return\ndata: \n\n'),
    );
    expect([...text.matchAll(/^id: (\S+)$/gm)].map((match) => match[1])).toEqual(['1', '2']);
  });

  it('sends untracked data without an id, and a serialized-error without a stack', async () => {
    await using server = await startStreamServer(routerWith());
    const { text } = await readRaw(server.url, 'test.fails', undefined, sse(await server.token('raw')), errorFrameRead);
    expect(text).toContain('data: {"untracked":true}\n\n');
    const error = JSON.parse(/event: serialized-error\ndata: (.*)\n/.exec(text)?.[1] ?? 'null');
    expect(error).toEqual({
      message: 'the tick clashed',
      code: -32009,
      data: { code: 'CONFLICT', httpStatus: 409, path: 'test.fails' },
    });
  });

  it('answers an unknown path, a query and bad input with typed errors, never a crash', async () => {
    await using server = await startStreamServer(routerWith());
    const token = await server.token('bad');
    const until = errorFrameRead;
    const errorOf = async (path: string, input: unknown) =>
      JSON.parse(
        /event: serialized-error\ndata: (.*)\n/.exec(
          (await readRaw(server.url, path, input, sse(token), until)).text,
        )?.[1] ?? 'null',
      );
    expect(await errorOf('test.nothing', undefined)).toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(await errorOf('test.hello', undefined)).toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(await errorOf('test.ticks', { count: -1 })).toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const raw = await fetch(`${server.url}/trpc/test.ticks?input=%7Bnot-json`, { headers: sse(token) });
    expect(await raw.text()).toMatch(/"code":"BAD_REQUEST".*|"message":"\\"input\\" is not valid JSON"/);
    const anonymous = await readRaw(server.url, 'test.ticks', {}, { accept: 'text/event-stream' }, until);
    expect(anonymous.text).toContain('"code":"UNAUTHORIZED"');
  });

  it('refuses a subscription not built on streamProcedure, saying why in the log', async () => {
    const lines: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (obj: object) => lines.push(String((obj as { err?: Error }).err?.cause ?? (obj as { err?: Error }).err)),
    };
    await using server = await startStreamServer(routerWith(), { logger });
    const { text } = await readRaw(
      server.url,
      'test.unguarded',
      undefined,
      sse(await server.token('u')),
      errorFrameRead,
    );
    expect(text).toContain('"code":"INTERNAL_SERVER_ERROR"');
    expect(text).not.toContain('\nid: ');
    expect(lines.join('\n')).toContain('subscription test.unguarded is not built on streamProcedure');
  });

  it('tells a subscription request without Accept: text/event-stream how to ask', async () => {
    await using server = await startStreamServer(routerWith());
    const { text } = await readRaw(
      server.url,
      'test.ticks',
      { count: 1 },
      { authorization: `Bearer ${await server.token('curl')}` },
      errorFrameRead,
    );
    expect(text).toContain('"code":"METHOD_NOT_SUPPORTED"');
    expect(text).toContain('Accept: text/event-stream');
  });

  it('ends a stream at maxDurationMs with a retryable error, and stops its generator', async () => {
    await using server = await startStreamServer(routerWith({ maxDurationMs: 1_000 }));
    const finishedBefore = life.finished;
    const { text } = await readRaw(
      server.url,
      'test.ticks',
      { everyMs: 20 },
      sse(await server.token('long')),
      errorFrameRead,
    );
    expect(text).toContain('"code":"SERVICE_UNAVAILABLE"');
    expect(text).toContain('the stream reached its longest duration');
    expect(text).toMatch(/\nid: 0\n/);
    await expect.poll(() => life.finished).toBeGreaterThan(finishedBefore);
  });

  it('gives a procedure that pushes no AbortSignal from its second stream on (it is stopped directly)', async () => {
    await using server = await startStreamServer(routerWith());
    const token = await server.token('pusher');
    for (let i = 0; i < 3; i += 1) {
      const { text } = await readRaw(server.url, 'test.pushed', undefined, sse(token), (text) =>
        text.includes('id: 1\n\n'),
      );
      expect(text).toContain('data: {"pushed":true}\nid: 1\n\n');
    }
    expect(pushedSignals).toEqual([true, false, false]);
    await expect.poll(() => server.gate.size).toBe(0);
  });

  it('refuses, at start, a router it cannot know the settings of', () => {
    const foreign = initTRPC.create().router({});
    expect(
      () => new SseWriter({ router: foreign, basePath: '/trpc/', createContext: async () => ({}), logger: console }),
    ).toThrow(/serves routers built by createTRPCRouter or createConfiguredRouter/);
  });
});

describe('stream rules, for any subscription built on streamProcedure', () => {
  it('counts the stream in STREAMS_PER_USER, and gives the slot back and stops the generator when the client leaves', async () => {
    await using server = await startStreamServer(routerWith(), { limits: { streamsPerUser: 1 } });
    const token = await server.token('slots');
    const running = life.running;
    const controller = new AbortController();
    const first = await fetch(`${server.url}/trpc/test.ticks?input=${encodeURIComponent('{"everyMs":50}')}`, {
      headers: sse(token),
      signal: controller.signal,
    });
    expect(first.status).toBe(200);
    await expect.poll(() => server.gate.size).toBe(1);
    const refused = await readRaw(server.url, 'test.ticks', {}, sse(token), errorFrameRead);
    expect(refused.text).toContain('"code":"TOO_MANY_REQUESTS"');
    expect(refused.text).toContain('STREAMS_PER_USER');
    controller.abort();
    await expect.poll(() => server.gate.size).toBe(0);
    await expect.poll(() => life.running).toBe(running);
    const again = await readRaw(server.url, 'test.ticks', { count: 1 }, sse(token), (text) =>
      text.includes('event: return\ndata: \n\n'),
    );
    expect(again.text).toContain('id: 0');
  });

  it('is ended by the gate with a retryable SERVICE_UNAVAILABLE, and refused while the gate refuses', async () => {
    await using server = await startStreamServer(routerWith());
    const token = await server.token('drained');
    const reading = readRaw(server.url, 'test.ticks', { everyMs: 20 }, sse(token), errorFrameRead);
    await expect.poll(() => server.gate.size).toBe(1);
    await server.gate.endOpen('this server is shutting down', 0);
    const { text } = await reading;
    expect(text).toContain('"code":"SERVICE_UNAVAILABLE"');
    expect(text).toContain('this server is shutting down: reconnect and resume from the last event id');
    expect(server.gate.size).toBe(0);
  });

  it('ends with UNAUTHORIZED when the token expires', async () => {
    await using server = await startStreamServer(routerWith());
    const { text } = await readRaw(
      server.url,
      'test.ticks',
      { everyMs: 100 },
      sse(await server.token('brief', 1)),
      errorFrameRead,
    );
    expect(text, text).toContain('"code":"UNAUTHORIZED"');
    expect(text).toContain('the token expired');
  });

  it('logs one line as it opens and one as it closes, and counts itself under its procedure', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = {
      debug() {},
      info: (obj: object, msg: string) => lines.push({ ...obj, msg }),
      warn() {},
      error() {},
    };
    const counted: string[] = [];
    const metrics = {
      procedure: (path: string) => ({
        opened: () => counted.push(`${path} opened`),
        closed: (reason: string) => counted.push(`${path} closed ${reason}`),
        delivered: () => counted.push(`${path} delivered`),
        dropped: () => {},
      }),
    };
    await using server = await startStreamServer(routerWith(), { logger, metrics });
    await readRaw(server.url, 'test.ticks', { count: 2 }, sse(await server.token('counted')), (text) =>
      text.includes('event: return\ndata: \n\n'),
    );
    expect(counted).toEqual([
      'test.ticks opened',
      'test.ticks delivered',
      'test.ticks delivered',
      'test.ticks closed ended',
    ]);
    expect(lines.map(({ msg, procedure, userId }) => `${msg} ${procedure} ${userId}`)).toEqual([
      'stream opened test.ticks counted',
      'stream closed test.ticks counted',
    ]);
  });
});
