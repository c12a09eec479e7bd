import { demoReply } from '@threadcast/runner';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';
import { comparable } from './shown-text.ts';

test('a run cancelled from the page stops where it was and says so', async ({ page, openNewThread }) => {
  await openNewThread(page);
  const prompt = Array.from({ length: 400 }, (_, i) => `cancel${i}`).join(' ');
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByRole('article', { name: 'Reply' });
  const replyText = reply.getByTestId('reply-text');
  await expect(replyText).toHaveText(/cancel10 /);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('cancelled');
  await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
  const text = (await replyText.textContent()) ?? '';
  expect(comparable(demoReply(prompt)).startsWith(comparable(text))).toBe(true);
  expect(comparable(text).length).toBeLessThan(comparable(demoReply(prompt)).length);

  // After a reload the thread shows the cancelled exchange, and a new run can start.
  await page.reload();
  await expect(page.getByRole('list', { name: 'Earlier messages' })).toContainText('cancelled by the user');
  await page.getByLabel('Prompt').fill('after the cancel');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(replyText).toHaveText(comparable(demoReply('after the cancel')));
});
