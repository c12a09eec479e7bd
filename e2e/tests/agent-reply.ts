import type { BrowserContext, Locator, Page } from '@playwright/test';
import { DEMO_SOURCE, demoReply } from '@threadcast/runner';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect } from '../fixtures.ts';
import { comparable } from './shown-text.ts';

export const words = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `${tag}${i}`).join(' ');

export async function send(page: Page, prompt: string): Promise<Locator> {
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  return page.getByRole('article', { name: 'Reply' });
}

/** Everything a finished reply shows, folded reasoning included, as text. */
export const shown = (reply: Locator) => reply.evaluate((element) => element.textContent ?? '');

/**
 * The reply ends as it should and exactly as a page that saw none of the faults shows it: a new page loaded once
 * the run is done renders it from `thread.get` (the run's stored parts), and both must read the same.
 */
export async function expectSameEnd(
  reply: Locator,
  context: BrowserContext,
  url: string,
  prompt: string,
): Promise<void> {
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  // The page counted every token and delta event once: what `done` reports.
  await expect(reply).toHaveAttribute('data-complete', 'true');
  await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply(prompt)));
  for (const tool of ['calculator', 'clock']) {
    await expect(reply.getByRole('region', { name: `Tool ${tool}` })).toHaveAttribute(
      'data-tool-state',
      'output-available',
    );
  }
  await expect(reply.locator('details.reasoning summary')).toHaveText(/^Reasoning · /);
  await expect(reply.getByRole('link', { name: DEMO_SOURCE.title })).toHaveAttribute('href', DEMO_SOURCE.url);
  await expect(reply.getByText('Data · demo-summary')).toBeVisible();

  const reference = await context.newPage();
  try {
    await reference.goto(url);
    const finished = reference.getByRole('list', { name: 'Earlier messages' }).locator('.reply').last();
    await expect(finished).toHaveAttribute('data-run-state', 'done');
    expect(await shown(reply)).toBe(await shown(finished));
  } finally {
    await reference.close();
  }
}
