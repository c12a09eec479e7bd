import { expect, type Page, test } from '@playwright/test';

/** A run as the server stores it, asked with the page's session cookie. */
async function serverRun(page: Page, runId: string): Promise<{ state: string; text?: string }> {
  const input = encodeURIComponent(JSON.stringify({ runId }));
  const response = await page.request.get(`/trpc/run.get?input=${input}`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { result: { data: { state: string; text?: string } } }).result.data;
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Name').fill(`chat${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('status')).toHaveText('ready');
}

const replies = (page: Page) => page.locator('li[data-role="assistant"]');

/** Sends a prompt and returns the run id, which is the assistant message's id. */
async function send(page: Page, prompt: string): Promise<string> {
  const before = await replies(page).count();
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(replies(page)).toHaveCount(before + 1);
  return (await replies(page).last().getAttribute('data-message-id')) as string;
}

async function shownReply(page: Page): Promise<string> {
  return (await replies(page).last().getByTestId('reply-text').allTextContents()).join('');
}

test('useChat streams a threadcast run, and the reply is exactly the one the server stored', async ({ page }) => {
  await signIn(page);
  const runId = await send(page, 'hello from the AI SDK');
  await expect(page.getByTestId('status')).toHaveText('streaming');
  await expect(page.getByTestId('status')).toHaveText('ready');
  const run = await serverRun(page, runId);
  expect(run.state).toBe('done');
  expect(await shownReply(page)).toBe(run.text);
  await expect(replies(page).last()).toContainText('[calculator: output-available]');
});

test('after a reload mid-run, resume: true rejoins the run exactly once', async ({ page }) => {
  await signIn(page);
  const runId = await send(page, 'a longer prompt, so that the page can be reloaded while its reply still streams');
  await expect(replies(page).last().getByTestId('reply-text')).not.toHaveCount(0);
  await expect(page.getByTestId('status')).toHaveText('streaming');
  await page.reload();
  // Right after the reload useChat is `ready` with the prompt alone, until the resumed stream starts: wait for the
  // run's end on the server, then for the page to have shown all of it.
  await expect.poll(async () => (await serverRun(page, runId)).state, { timeout: 60_000 }).toBe('done');
  const run = await serverRun(page, runId);
  await expect(replies(page).last().getByTestId('reply-text').last()).toContainText(run.text?.slice(-20) ?? '');
  await expect(page.getByTestId('status')).toHaveText('ready');
  await expect(replies(page)).toHaveCount(1);
  await expect(page.locator('li[data-role="user"]')).toHaveCount(1);
  expect(await replies(page).last().getAttribute('data-message-id')).toBe(runId);
  expect(await shownReply(page)).toBe(run.text);
});

test("useChat's stop() cancels the run on the worker", async ({ page }) => {
  await signIn(page);
  const runId = await send(page, 'a run to stop before it ends, with enough words to take a while to stream');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('status')).toHaveText('ready');
  await expect.poll(async () => (await serverRun(page, runId)).state).toBe('cancelled');
});
