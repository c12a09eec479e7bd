import { expect, type Page, test } from '@playwright/test';

/** A run as the server stores it, asked with the page's session cookie. */
async function serverRun(page: Page, runId: string): Promise<{ state: string; text?: string }> {
  const input = encodeURIComponent(JSON.stringify({ runId }));
  const response = await page.request.get(`/trpc/run.get?input=${input}`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { result: { data: { state: string; text?: string } } }).result.data;
}

async function signInToNewThread(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Name').fill(`ex${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'New thread' }).click();
  await expect(page.getByTestId('connection')).toHaveText('live');
}

const lastMessage = (page: Page) => page.getByRole('list', { name: 'Messages' }).getByRole('listitem').last();

/** The text parts of the last reply, as shown. */
async function shownReply(page: Page): Promise<string> {
  return (await lastMessage(page).getByTestId('reply-text').allTextContents()).join('');
}

async function send(page: Page, prompt: string): Promise<string> {
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(lastMessage(page)).toHaveAttribute('data-run-id', /.+/);
  return (await lastMessage(page).getAttribute('data-run-id')) as string;
}

test('a run streams into useThread, and the reply shown is exactly the one the server stored', async ({ page }) => {
  await signInToNewThread(page);
  const runId = await send(page, 'hello from an app that installed threadcast from npm');
  await expect(page.getByTestId('status')).toHaveText('streaming');
  await expect(lastMessage(page)).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('status')).toHaveText('ready');
  const run = await serverRun(page, runId);
  expect(run.state).toBe('done');
  expect(await shownReply(page)).toBe(run.text);
  await expect(lastMessage(page)).toContainText('Tool calculator: output-available');

  // regenerate() runs the last prompt again as a new run; the first stays in the history.
  await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
  await expect(lastMessage(page)).not.toHaveAttribute('data-run-id', runId);
  await expect(lastMessage(page)).toHaveAttribute('data-state', 'done');
  await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem')).toHaveCount(2);
});

test('a reload mid-run resumes the reply exactly once', async ({ page }) => {
  await signInToNewThread(page);
  const runId = await send(page, 'count the words of this rather long prompt while the page reloads halfway');
  await expect(lastMessage(page).getByTestId('reply-text')).not.toHaveCount(0);
  await expect(lastMessage(page)).toHaveAttribute('data-state', 'running');
  await page.reload();
  await expect(lastMessage(page)).toHaveAttribute('data-state', 'done');
  const run = await serverRun(page, runId);
  expect(await shownReply(page)).toBe(run.text);
});

test('stop() cancels the run on the worker', async ({ page }) => {
  await signInToNewThread(page);
  const runId = await send(page, 'a run to stop before it ends, with enough words to take a while to stream');
  await expect(page.getByTestId('status')).toHaveText(/submitted|streaming/);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(lastMessage(page)).toHaveAttribute('data-state', 'cancelled');
  expect((await serverRun(page, runId)).state).toBe('cancelled');
  await expect(page.getByTestId('status')).toHaveText('ready');
});

test('a refused prompt is a typed error, and the thread goes on', async ({ page }) => {
  await signInToNewThread(page);
  // The server under test allows 500 characters (PROMPT_MAX_CHARS).
  await page.getByLabel('Prompt').fill('x'.repeat(501));
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('PROMPT_MAX_CHARS');
  await expect(page.getByTestId('status')).toHaveText('error');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('status')).toHaveText('ready');
  await send(page, 'a short prompt after all');
  await expect(lastMessage(page)).toHaveAttribute('data-state', 'done');
});
