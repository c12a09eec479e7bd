import { readFile } from 'node:fs/promises';
import { appProcedures, createConfiguredRouter } from '@threadcast/api';
import { clockRouter } from '@threadcast/api/examples/clock';
import { createLinks } from '@threadcast/client';
import { createTRPCClient, type TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './test-server.ts';
import { scrape } from './testing/metrics.ts';
import { errorFrameRead, rawStream } from './testing/raw-sse.ts';

/**
 * docs/contributing.md, "Add a subscription", followed as written: its procedure is the example file byte for
 * byte, mounted beside the app's routers as step 2 says, and it gets every stream rule with no further step.
 */

const guide = new URL('../../../docs/contributing.md', import.meta.url);
const example = new URL('../../../packages/api/src/examples/clock.ts', import.meta.url);

/** The router of an app that followed step 2: the app's routers and `clock`. */
const withClock = () => createConfiguredRouter({ ...appProcedures, clock: clockRouter }, { heartbeatMs: 15_000 });
type GuideRouter = ReturnType<typeof withClock>;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ClockOutput = inferRouterOutputs<GuideRouter>['clock']['onTick'];
/** What step 3 of the guide tells ThreadcastRouter: the clock's input, and the data of each tick. */
export type GuideTypes = [
  Equal<
    inferRouterInputs<GuideRouter>['clock']['onTick'],
    { everyMs: number; lastEventId?: string | null | undefined }
  >,
  Equal<
    ClockOutput extends AsyncIterable<{ data: infer Tick }, never, undefined> ? Tick : never,
    { tick: number; at: number }
  >,
] extends [true, true]
  ? true
  : never;
const guideTypesHold: GuideTypes = true;

async function startGuideServer(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer({ ...options, router: withClock() });
  const guest = createTRPCClient<GuideRouter>({ links: createLinks({ url: `${server.url}/trpc`, EventSource }) });
  const { token } = await guest.auth.devLogin.mutate({ name: 'ticker' });
  const api = (bearer: string) =>
    createTRPCClient<GuideRouter>({
      // The links are typed for the app's router; the guide's router is that router and `clock`.
      links: createLinks<GuideRouter>({ url: `${server.url}/trpc`, getToken: () => bearer, EventSource }),
    });
  return { server, token, api };
}

/** The first `count` ticks after `lastEventId`, as [SSE id, tick]; rejects with the stream's error. */
function ticks(api: ReturnType<typeof createTRPCClient<GuideRouter>>, lastEventId: string | null, count: number) {
  return new Promise<[string, number][]>((resolve, reject) => {
    const received: [string, number][] = [];
    const subscription = api.clock.onTick.subscribe(
      { everyMs: 50, lastEventId },
      {
        onData: ({ id, data }) => {
          received.push([id, data.tick]);
          if (received.length < count) return;
          subscription.unsubscribe();
          resolve(received);
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
      },
    );
  });
}

describe('the guide to adding a subscription', () => {
  it('shows the example file byte for byte, and says how to mount it', async () => {
    expect(guideTypesHold).toBe(true);
    const text = await readFile(guide, 'utf8');
    const section = text.slice(text.indexOf('## Add a subscription'), text.indexOf('## Add an agent provider'));
    const firstBlock = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(firstBlock).toBe(await readFile(example, 'utf8'));
    expect(section).toContain("import { clockRouter } from './routers/clock.ts';");
    expect(section).toContain('  clock: clockRouter,');
    // Step 3's type for ThreadcastRouter is the procedure's, as `GuideTypes` below checks.
    expect(section).toContain(
      'onTick: Subscription<{ everyMs: number; lastEventId?: string | null | undefined }, { tick: number; at: number }>;',
    );
  });

  it('ticks in order, resumes after the last tick it was given, and refuses a malformed id', async () => {
    const { server, token, api } = await startGuideServer();
    await using _ = server;
    const client = api(token);
    expect(await ticks(client, null, 3)).toEqual([
      ['0', 0],
      ['1', 1],
      ['2', 2],
    ]);
    expect(await ticks(client, '2', 2)).toEqual([
      ['3', 3],
      ['4', 4],
    ]);
    await expect(ticks(client, 'two', 1)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it('is served by the SSE writer, counted under its path in /metrics, and logged nowhere else', async () => {
    const { server, token, api } = await startGuideServer();
    await using _ = server;
    await ticks(api(token), null, 2);
    // tRPC's own SSE pipeline is off in the router: a tick that arrived came through the writer.
    await expect
      .poll(async () =>
        (await scrape(server.url)).value('threadcast_events_delivered_total', { procedure: 'clock.onTick' }),
      )
      .toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => (await scrape(server.url)).value('threadcast_streams_open', { procedure: 'clock.onTick' }))
      .toBe(0);
  });

  it('takes a STREAMS_PER_USER slot, and is ended by a drain with a retryable error', async () => {
    const { server, token } = await startGuideServer({ apiLimits: { streamsPerUser: 1 } });
    await using _ = server;
    const input = { everyMs: 50 };
    const first = rawStream(server.url, input, {
      headers: { authorization: `Bearer ${token}` },
      path: 'clock.onTick',
      timeoutMs: 30_000,
      until: errorFrameRead,
    });
    await expect.poll(() => server.gate.size).toBe(1);
    const second = await rawStream(server.url, input, {
      headers: { authorization: `Bearer ${token}` },
      path: 'clock.onTick',
    });
    expect(second.outcome).toBe('TOO_MANY_REQUESTS');
    // The first tick written, then the drain.
    await expect
      .poll(async () =>
        (await scrape(server.url)).value('threadcast_events_delivered_total', { procedure: 'clock.onTick' }),
      )
      .toBeGreaterThanOrEqual(1);
    await server.gate.endOpen('this server is shutting down', 0);
    const drained = await first;
    expect(drained.outcome).toBe('SERVICE_UNAVAILABLE');
    expect(drained.text).toMatch(/\nid: 0\n/);
    expect(server.gate.size).toBe(0);
  });

  it('ends with UNAUTHORIZED when the token expires, so the client refreshes and resumes', async () => {
    const { server, api } = await startGuideServer();
    await using _ = server;
    const { token } = await server.tokens.issue({ id: 'brief', name: 'Brief' }, { ttlSeconds: 1 });
    const error = await ticks(api(token), null, 1_000).catch((failure: TRPCClientError<GuideRouter>) => failure);
    expect(error).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});
