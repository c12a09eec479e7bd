import { demoReply } from '@threadcast/runner';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';
import { comparable } from './shown-text.ts';

/** Records every distinct text the reply shows, from before the run starts until it is done. */
async function recordReplyRenders(page: import('@playwright/test').Page): Promise<void> {
  await page.evaluate(() => {
    const reply = document.querySelector('[aria-label="Reply"]');
    if (!reply) throw new Error('no reply element');
    const renders: string[] = [];
    (window as unknown as { renders: string[] }).renders = renders;
    new MutationObserver(() => {
      const text = [...reply.querySelectorAll('[data-testid="reply-text"]')].map((el) => el.textContent).join('');
      if (renders.at(-1) !== text) renders.push(text);
    }).observe(reply, { childList: true, characterData: true, subtree: true });
  });
}

test('a run streams into the page token by token, without a reload', async ({ page, openNewThread }) => {
  await openNewThread(page);
  await page.evaluate(() => {
    (window as unknown as { marker: string }).marker = 'same page';
  });
  await recordReplyRenders(page);
  const prompt = `Stream me something, ${Date.now()} — ¿qué tal? 🚀`;
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();

  const reply = page.getByRole('article', { name: 'Reply' });
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(reply).toHaveAttribute('data-complete', 'true');
  await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply(prompt)));
  await expect(page.getByTestId('run-state')).toHaveText('done');

  const renders = await page.evaluate(() => (window as unknown as { renders: string[] }).renders);
  const full = comparable(demoReply(prompt));
  const partial = renders.map(comparable).filter((text) => text.length > 0 && text !== full);
  expect(partial.length).toBeGreaterThanOrEqual(3);
  for (const text of partial) expect(full.startsWith(text), `${text}\n---\n${full}`).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
});

test('two pages on the same thread watch the same reply grow', async ({ page, context, openNewThread }) => {
  const url = await openNewThread(page);
  const watcher = await context.newPage();
  await watcher.goto(url);
  await expect(watcher.getByTestId('connection-state')).toHaveText('live');

  // About 90 tokens 30 ms apart: the watcher is seen `running` before the run ends, even on a busy machine.
  const words = Array.from({ length: 60 }, (_, i) => `v${i}`).join(' ');
  const prompt = `Shared view ${Date.now()} 👀 ${words}`;
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(watcher.getByTestId('run-state')).toHaveText('running');
  for (const p of [page, watcher]) {
    const reply = p.getByRole('article', { name: 'Reply' });
    await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
    await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply(prompt)));
    await expect(reply).toHaveAttribute('data-complete', 'true');
  }
});

test('a page reloaded mid-run shows the reply so far and finishes it with nothing lost', async ({
  page,
  openNewThread,
}) => {
  await openNewThread(page);
  // About 290 tokens 30 ms apart: the run outlasts the reload by seconds, even on a busy machine.
  const words = Array.from({ length: 250 }, (_, i) => `w${i}`).join(' ');
  const prompt = `Reload in the middle ${Date.now()} ${words}`;
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByRole('article', { name: 'Reply' });
  const replyText = reply.getByTestId('reply-text');
  await expect(replyText).toHaveText(/You said: “Reload in the middle/);
  await page.reload();
  await expect(reply).toHaveAttribute('data-run-state', 'running');
  await expect(replyText).toHaveText(/You said: “Reload in the middle/);
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(replyText).toHaveText(comparable(demoReply(prompt)));
  await expect(reply).toHaveAttribute('data-complete', 'true');
});
