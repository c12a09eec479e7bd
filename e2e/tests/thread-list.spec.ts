import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';

test('the thread list is live in every tab: a thread created, named by its first prompt and run in another tab shows without a reload', async ({
  page,
  context,
  openNewThread,
}) => {
  const url = await openNewThread(page);
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('connection-state')).toHaveText('live');
  await other.evaluate(() => {
    (window as unknown as { marker: string }).marker = 'same page';
  });

  await page.getByRole('button', { name: 'New thread', exact: true }).click();
  await expect(page).not.toHaveURL(url);
  await expect(page.getByTestId('connection-state')).toHaveText('live');
  const threads = other.getByRole('navigation', { name: 'Threads' }).getByRole('button', { name: /^New thread \d/ });
  await expect(threads).toHaveCount(2);

  const prompt = `Plan a picnic ${Date.now()}`;
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const named = other.getByRole('navigation', { name: 'Threads' }).getByRole('button', { name: new RegExp(prompt) });
  await expect(named).toBeVisible();
  await expect(page.getByRole('article', { name: 'Reply' })).toHaveAttribute('data-run-state', 'done', {
    timeout: RUN_TIMEOUT_MS,
  });
  await expect(named).not.toContainText('running');
  expect(await other.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
});
