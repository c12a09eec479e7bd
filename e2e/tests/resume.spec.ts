import { demoReply } from '@threadcast/runner';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';
import { comparable } from './shown-text.ts';

test('a run keeps streaming through a server killed and restarted mid-run', async ({
  page,
  servers,
  openNewThread,
}) => {
  const [server = 'server-1'] = servers.names;
  await openNewThread(page);
  const prompt = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByRole('article', { name: 'Reply' });
  const replyText = reply.getByTestId('reply-text');
  await expect(replyText).toHaveText(/word10 /);

  await servers.kill(server);
  await expect(page).toHaveConnectionState('reconnecting');
  await expect(reply).toHaveAttribute('data-run-state', 'running');
  await servers.start(server);

  await expect(page).toHaveConnectionState('live');
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(replyText).toHaveText(comparable(demoReply(prompt)));
  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
});
