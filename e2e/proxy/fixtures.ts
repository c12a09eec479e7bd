import type { Response } from '@playwright/test';
import { test as base, expect } from '../fixtures.ts';
import { type ProxyStack, startProxyStack } from './proxy-stack.ts';

interface WorkerFixtures {
  /** One stack per Playwright worker, shared by its tests. */
  workerProxyStack: ProxyStack;
}

interface TestFixtures {
  /** The worker's stack, whole: a server an earlier test killed is running again. */
  proxyStack: ProxyStack;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  workerProxyStack: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this destructuring.
    async ({}, use) => {
      const stack = await startProxyStack();
      try {
        await use(stack);
      } finally {
        await stack.stop();
      }
    },
    // Redis, three app processes at once and nginx, each with a start-up timeout of its own (up to 30 s).
    { scope: 'worker', timeout: 90_000 },
  ],
  // The kit starts nothing here: its threadcast is this stack, through nginx's plain HTTP listener (a test that
  // wants the TLS one opens it itself), with the kit's relay between the page and nginx.
  threadcastUrl: [async ({ workerProxyStack }, use) => use(workerProxyStack.nginx.httpUrl), { scope: 'worker' }],
  proxyStack: async ({ workerProxyStack }, use) => {
    await workerProxyStack.reviveKilled();
    await use(workerProxyStack);
  },
});

/** The server (`host:port`) that answered, from the test configuration's X-Threadcast-Upstream header. */
export async function upstreamOf(response: Response): Promise<string> {
  const tried = (await response.headerValue('x-threadcast-upstream')) ?? '';
  return tried.split(',').at(-1)?.trim() ?? '';
}

export { expect };
