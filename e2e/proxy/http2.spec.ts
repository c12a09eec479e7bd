import type { APIRequestContext, Page } from '@playwright/test';
import { ThreadcastApi } from '@threadcast/playwright';
import { demoReply } from '@threadcast/runner';
import { signInThroughForm } from '../fixtures.ts';
import { expect, test } from './fixtures.ts';
import { closeStream, openStreams, replyOf, streamViews, waitForConnected, waitForDone } from './page-streams.ts';

// One stack per worker: these run one after another on it.
test.describe.configure({ mode: 'default' });

/** Chromium's limit of HTTP/1.1 connections to one origin (scheme, host and port). */
const HTTP1_CONNECTIONS_PER_ORIGIN = 6;

interface Thread {
  threadId: string;
  prompt: string;
}

async function createThreads(api: ThreadcastApi, count: number): Promise<Thread[]> {
  const tag = Date.now().toString(36);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { threadId } = await api.createThread(`stream ${i}`);
      return { threadId, prompt: `stream ${i} of ${count}, ${tag}` };
    }),
  );
}

function startRuns(api: ThreadcastApi, threads: readonly Thread[]): Promise<string[]> {
  return Promise.all(threads.map(async ({ threadId, prompt }) => (await api.startRun(threadId, prompt)).runId));
}

/** Whether the servers took the request as HTTPS (TRUST_PROXY=1 and nginx's X-Forwarded-Proto): a Secure session cookie, and HSTS. */
async function seenAsHttps(request: APIRequestContext, origin: string): Promise<{ cookie: boolean; hsts: boolean }> {
  const session = (await request.storageState()).cookies.find((cookie) => cookie.name === 'threadcast_session');
  if (!session) throw new Error('signed in, yet no session cookie');
  const health = await request.get(`${origin}/healthz`);
  return { cookie: session.secure, hsts: health.headers()['strict-transport-security'] !== undefined };
}

function protocolOf(page: Page): Promise<string> {
  return page.evaluate(
    () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
  );
}

test('over HTTP/2 (TLS), ten threads stream at once in one page, each its own run', async ({ browser, proxyStack }) => {
  const origin = proxyStack.nginx.httpsUrl;
  // The certificate is self-signed, made for this run.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await signInThroughForm(page, origin);
    expect(await protocolOf(page)).toBe('h2');
    expect(await seenAsHttps(context.request, origin)).toEqual({ cookie: true, hsts: true });

    const api = new ThreadcastApi(context.request, origin);
    const threads = await createThreads(api, 10);
    const all = threads.map((_, i) => i);
    const threadIds = threads.map(({ threadId }) => threadId);
    expect(await openStreams(page, threadIds)).toBe(0);
    // More than HTTP/1.1 could carry from one page: all ten are connected at once.
    await waitForConnected(page, all);

    const runIds = await startRuns(api, threads);
    await waitForDone(page, all);
    const views = await streamViews(page);
    threads.forEach(({ threadId, prompt }, i) => {
      const view = views[i];
      const runId = runIds[i] as string;
      expect(view?.threadId).toBe(threadId);
      expect(view?.events.every((event) => event.threadId === threadId && event.runId === runId)).toBe(true);
      expect(view && replyOf(view, runId)).toBe(demoReply(prompt));
    });
  } finally {
    await context.close();
  }
});

test('over HTTP/1.1 a seventh stream of the page waits until one of six closes (the limit HTTP/2 lifts)', async ({
  page,
  context,
  proxyStack,
}) => {
  const origin = proxyStack.nginx.httpUrl;
  // The app's own live thread list would hold one of the six sockets: it is kept off, so the test's streams are
  // the only ones (a tab of the app on HTTP/1.1 holds two: its thread list and the thread it shows).
  await page.route('**/trpc/thread.onActivity?**', (route) => route.abort());
  await signInThroughForm(page, origin);
  expect(await protocolOf(page)).toBe('http/1.1');
  expect(await seenAsHttps(context.request, origin)).toEqual({ cookie: false, hsts: false });

  const api = new ThreadcastApi(context.request, origin);
  const threads = await createThreads(api, HTTP1_CONNECTIONS_PER_ORIGIN + 1);
  const six = threads.slice(0, HTTP1_CONNECTIONS_PER_ORIGIN).map((_, i) => i);
  const seventh = HTTP1_CONNECTIONS_PER_ORIGIN;
  const threadIds = threads.map(({ threadId }) => threadId);
  await openStreams(page, threadIds.slice(0, seventh));
  await waitForConnected(page, six);
  await openStreams(page, threadIds.slice(seventh));

  // All seven runs go through the test's own connections, and run to the end.
  const runIds = await startRuns(api, threads);
  await waitForDone(page, six);
  const seventhRun = runIds[seventh] as string;
  const seventhRunState = async () => (await api.run(seventhRun)).state;
  await expect.poll(seventhRunState).toBe('done');

  // Its whole run happened, yet the seventh stream has not even connected: no socket was free for it.
  const blocked = (await streamViews(page))[seventh];
  expect(blocked).toMatchObject({ connected: false, readyState: 0, events: [] });

  await closeStream(page, 0);
  await waitForDone(page, [seventh]);
  const view = (await streamViews(page))[seventh];
  expect(view?.connected).toBe(true);
  expect(view && replyOf(view, seventhRun)).toBe(demoReply((threads[seventh] as Thread).prompt));
});
