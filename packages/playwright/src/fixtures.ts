import { dirname } from 'node:path';
import type { Page } from '@playwright/test';
import { test as base } from '@playwright/test';
import { DOM_HOOKS, type RunState, type StartRunOutput, type ThreadDetail } from '@threadcast/contract';
import { ThreadcastApi } from './api.ts';
import { waitForRunState } from './matchers.ts';
import { DEFAULT_OPTIONS, type ThreadcastOptions } from './options.ts';
import { watchContext } from './recorder.ts';
import { type Relay, startRelay } from './relay.ts';
import { type Servers, type Stack, startStack } from './stack.ts';

/** The `threadcast` fixture: a signed-in user with a fresh thread on the test's threadcast. */
export interface Threadcast {
  /** The origin the browser uses (`baseURL`): the test's relay in front of the app. */
  readonly url: string;
  /** The server's own origin, bypassing the relay (what `api` calls). */
  readonly serverUrl: string;
  /** The signed-in user (dev login); the browser context holds the session cookie. */
  readonly user: { readonly name: string; readonly userId: string };
  /** A thread made for this test. */
  readonly threadId: string;
  /** The path of that thread in the app (`threadcastThreadPath`). */
  readonly threadPath: string;
  /** The procedures, called with the user's session (`thread`, `startRun`, `cancelRun`…). */
  readonly api: ThreadcastApi;
  /** Opens the test's thread (or `threadId`) in `page` and waits until its stream is live. */
  openThread(page: Page, threadId?: string): Promise<void>;
  /** Starts a run of the demo agent on the test's thread (or `threadId`), as a page's Send would. */
  startRun(prompt: string, threadId?: string): Promise<StartRunOutput>;
  /** The thread as the server keeps it. */
  thread(threadId?: string): Promise<ThreadDetail>;
  /** Resolves once the run (default: the page's last) is in `state` on `page`; returns its id. */
  waitForRunState(page: Page, state: RunState, options?: { runId?: string; timeout?: number }): Promise<string>;
}

/** The `network` fixture: the relay between the browser and the server (see `Relay`). */
export type Network = Relay;

export interface ThreadcastFixtures {
  threadcast: Threadcast;
  network: Network;
  servers: Servers;
}

interface WorkerFixtures {
  threadcastStack: Stack;
}

let userCount = 0;

/** How long opening a thread may take to get its stream live on a loaded machine. */
const OPEN_TIMEOUT_MS = 30_000;

export const test = base.extend<ThreadcastFixtures & { threadcastRelay: Relay }, ThreadcastOptions & WorkerFixtures>({
  threadcastEngine: [DEFAULT_OPTIONS.threadcastEngine, { option: true, scope: 'worker' }],
  threadcastUrl: [DEFAULT_OPTIONS.threadcastUrl, { option: true, scope: 'worker' }],
  threadcastServer: [DEFAULT_OPTIONS.threadcastServer, { option: true, scope: 'worker' }],
  threadcastWorker: [DEFAULT_OPTIONS.threadcastWorker, { option: true, scope: 'worker' }],
  threadcastServers: [DEFAULT_OPTIONS.threadcastServers, { option: true, scope: 'worker' }],
  threadcastPace: [DEFAULT_OPTIONS.threadcastPace, { option: true, scope: 'worker' }],
  threadcastEnv: [DEFAULT_OPTIONS.threadcastEnv, { option: true, scope: 'worker' }],
  threadcastThreadPath: [DEFAULT_OPTIONS.threadcastThreadPath, { option: true, scope: 'worker' }],

  threadcastStack: [
    async (
      {
        threadcastEngine,
        threadcastUrl,
        threadcastServer,
        threadcastWorker,
        threadcastServers,
        threadcastPace,
        threadcastEnv,
        threadcastThreadPath,
      },
      use,
      workerInfo,
    ) => {
      const configDir = workerInfo.config.configFile ? dirname(workerInfo.config.configFile) : process.cwd();
      const stack = await startStack(
        {
          threadcastEngine,
          threadcastUrl,
          threadcastServer,
          threadcastWorker,
          threadcastServers,
          threadcastPace,
          threadcastEnv,
          threadcastThreadPath,
        },
        configDir,
      );
      try {
        await use(stack);
      } finally {
        await stack.stop();
      }
    },
    // Redis, a worker and servers, each given up to a minute to start on a loaded machine.
    { scope: 'worker', timeout: 180_000 },
  ],

  // The relay sits in front of the app the browser loads: the project's `baseURL` when it sets one (an app of its
  // own that proxies to threadcast), else threadcast's own.
  threadcastRelay: async ({ threadcastStack }, use, testInfo) => {
    const configured = testInfo.project.use.baseURL;
    const target = new URL(configured ?? threadcastStack.url);
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    const relay = await startRelay({ host: target.hostname, port });
    try {
      await use(relay);
    } finally {
      await relay.close();
    }
  },
  // The relay's address, with the configured scheme and path (the relay passes TLS through untouched).
  baseURL: async ({ threadcastRelay }, use, testInfo) => {
    const configured = testInfo.project.use.baseURL;
    if (!configured) return use(threadcastRelay.url);
    const url = new URL(configured);
    url.hostname = '127.0.0.1';
    url.port = String(threadcastRelay.port);
    await use(url.pathname === '/' ? url.origin : url.href);
  },
  network: async ({ threadcastRelay }, use) => {
    await use(threadcastRelay);
    // A test that left the network down or slow leaves nothing behind: the relay is closed after it.
  },
  servers: async ({ threadcastStack }, use) => {
    const { servers } = threadcastStack;
    if (!servers) throw new Error('the servers fixture needs servers the kit starts: it has none with threadcastUrl');
    // Servers an earlier test of this worker killed or drained are back before this one starts.
    await servers.reviveAll();
    await use(servers);
  },

  threadcast: async ({ threadcastStack, threadcastRelay, threadcastThreadPath, context }, use, testInfo) => {
    const api = new ThreadcastApi(context.request, threadcastStack.url);
    await watchContext(context, api);
    userCount += 1;
    const name = `pw${testInfo.workerIndex}u${userCount}${Date.now().toString(36)}`;
    const { userId } = await api.signIn(name);
    const { threadId } = await api.createThread();
    const pathOf = (id: string) => threadcastThreadPath.replace('{threadId}', encodeURIComponent(id));
    await use({
      url: threadcastRelay.url,
      serverUrl: threadcastStack.url,
      user: { name, userId },
      threadId,
      threadPath: pathOf(threadId),
      api,
      async openThread(page, id = threadId) {
        await page.goto(pathOf(id));
        await page.locator(`[${DOM_HOOKS.connection}="live"]`).first().waitFor({ timeout: OPEN_TIMEOUT_MS });
      },
      startRun: (prompt, id = threadId) => api.startRun(id, prompt),
      thread: (id = threadId) => api.thread(id),
      waitForRunState,
    });
  },
});
