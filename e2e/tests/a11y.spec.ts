import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';

/** Serious and critical WCAG 2.1 A/AA violations on the page as it is now, as "rule: targets" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

test('sign-in, the thread list and a finished reply have no serious accessibility violation', async ({
  browser,
  baseURL,
  page,
  openNewThread,
}) => {
  // The sign-in form, as a visitor with no session sees it.
  const visitor = await (await browser.newContext({ baseURL })).newPage();
  await visitor.goto('/');
  await expect(visitor.getByLabel('Your name')).toBeVisible();
  expect(await seriousViolations(visitor)).toEqual([]);
  await visitor.context().close();

  await openNewThread(page);
  await expect(
    page.getByRole('navigation', { name: 'Threads' }).getByRole('button', { name: /New thread \d/ }),
  ).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByLabel('Prompt').fill('Is this page **accessible**? `yes`');
  await page.getByLabel('Prompt').press('Enter');
  const reply = page.getByRole('article', { name: 'Reply' });
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  expect(await seriousViolations(page)).toEqual([]);
});

test('a conversation is operable by keyboard: the prompt sends with Enter, Shift+Enter adds a line, focus is visible', async ({
  page,
  openNewThread,
}) => {
  await openNewThread(page);
  const prompt = page.getByLabel('Prompt');
  await prompt.focus();
  await page.keyboard.type('first line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  await expect(prompt).toHaveValue('first line\nsecond line');
  await page.keyboard.press('Enter');
  const reply = page.getByRole('article', { name: 'Reply' });
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(reply.getByTestId('reply-text')).toHaveText(/first line\s+second line/);
  await expect(prompt).toHaveValue('');

  // Tab from the thread list reaches the conversation (a scrolling region), with a visible outline.
  await page.getByRole('navigation', { name: 'Threads' }).getByRole('button').last().focus();
  await page.keyboard.press('Tab');
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await expect(conversation).toBeFocused();
  expect(await conversation.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
});
