import { test as base, expect, type Page } from '@playwright/test';

export type Engine = 'embedded' | 'redis';

export interface EngineOption {
  /** Which deployment the test runs against: the single embedded process, or server + worker on Redis. */
  engine: Engine;
}

interface Fixtures extends EngineOption {
  /** Signs in as a fresh user and opens a new thread (on `origin`, default the project's server); resolves with its URL. */
  openNewThread: (page: Page, origin?: string) => Promise<string>;
}

export const test = base.extend<Fixtures>({
  engine: ['embedded', { option: true }],
  baseURL: async ({ engine }, use) => {
    const url = engine === 'embedded' ? process.env.E2E_EMBEDDED_URL : process.env.E2E_REDIS_URL;
    if (!url) throw new Error(`no ${engine} server: global setup did not run`);
    await use(url);
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this destructuring.
  openNewThread: async ({}, use, testInfo) => {
    await use(async (page, origin) => {
      await page.goto(origin ?? '/');
      await page.getByLabel('Your name').fill(`user${testInfo.workerIndex}x${Date.now()}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'New thread' }).click();
      await expect(page).toHaveURL(/\?thread=[A-Za-z0-9_-]+/);
      await expect(page.getByTestId('connection-state')).toHaveText('live');
      return page.url();
    });
  },
});

export { expect };
