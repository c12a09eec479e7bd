import type { Response } from '@playwright/test';
import { expectSameEnd, send, words } from '../tests/agent-reply.ts';
import { expect, test, upstreamOf } from './fixtures.ts';

test('a reply with reasoning and tools ends identical after the server holding its stream is killed mid-step', async ({
  page,
  context,
  proxyStack,
  openNewThread,
}) => {
  const streams: Response[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/trpc/thread.onEvent') streams.push(response);
  });
  const url = await openNewThread(page);
  const prompt = `Kill mid-step ${Date.now()} ${words(20, 'k')}`;
  const reply = await send(page, prompt);
  // Step 1, its calculator call still streaming its arguments.
  const calculator = reply.getByRole('region', { name: 'Tool calculator' });
  await expect(calculator).toHaveAttribute('data-tool-state', 'input-streaming');

  expect(streams).toHaveLength(1);
  const holder = await upstreamOf(streams[0] as Response);
  expect(proxyStack.servers.has(holder)).toBe(true);
  await proxyStack.killServer(holder);

  await expectSameEnd(reply, context, url, prompt);
  // The page resumed through the other server, from where it was.
  const resumedAt = await upstreamOf(streams.at(-1) as Response);
  expect(resumedAt).not.toBe(holder);
  expect(proxyStack.servers.has(resumedAt)).toBe(true);
});
