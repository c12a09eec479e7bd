import type { Page } from '@playwright/test';
import { expect, test as kit } from '@threadcast/playwright';

interface Fixtures {
  /** Opens the test's fresh thread (the kit's `threadcast`: a signed-in user) and resolves with the page's URL. */
  openNewThread: (page: Page) => Promise<string>;
}

/** The project's e2e tests: @threadcast/playwright's fixtures and matchers, and a shorthand of their own. */
export const test = kit.extend<Fixtures>({
  openNewThread: async ({ threadcast }, use) => {
    await use(async (page) => {
      await threadcast.openThread(page);
      return page.url();
    });
  },
});

/** Signs in through the app's form as a new user: for a browser context of the test's own, which the kit did not sign in. */
export async function signInThroughForm(page: Page, origin = '/'): Promise<void> {
  await page.goto(origin);
  await page.getByLabel('Your name').fill(`form${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'New thread', exact: true })).toBeVisible();
}

export { expect };
