import { demoReply } from '@threadcast/runner';
import { RUN_TIMEOUT_MS, startServerProcess } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';
import { fromBuild, scaledEnv } from '../stack-env.ts';
import { comparable } from './shown-text.ts';

test('a run keeps streaming through a server killed and restarted mid-run', async ({ page, openNewThread }) => {
  const redisUrl = process.env.E2E_REDIS_SERVER_URL;
  if (!redisUrl) throw new Error('global setup did not start Redis');
  const env = { ...scaledEnv(redisUrl), EMBEDDED_WORKER: '0' };
  let server = await startServerProcess(env, fromBuild);
  const port = new URL(server.url).port;
  try {
    await openNewThread(page, server.url);
    const prompt = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    await page.getByLabel('Prompt').fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.getByRole('article', { name: 'Reply' });
    const replyText = reply.getByTestId('reply-text');
    await expect(replyText).toHaveText(/word10 /);

    await server.stop('SIGKILL');
    await expect(page.getByTestId('connection-state')).toHaveText('reconnecting');
    await expect(reply).toHaveAttribute('data-run-state', 'running');
    server = await startServerProcess({ ...env, PORT: port }, fromBuild);

    await expect(page.getByTestId('connection-state')).toHaveText('live');
    await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
    await expect(replyText).toHaveText(comparable(demoReply(prompt)));
    await expect(reply).toHaveAttribute('data-complete', 'true');
  } finally {
    await server.stop();
  }
});
