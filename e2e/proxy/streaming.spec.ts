import type { Page, Response } from '@playwright/test';
import { demoReply, tokenize } from '@threadcast/runner';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { comparable } from '../tests/shown-text.ts';
import { followDirectly } from './direct-stream.ts';
import { expect, test, upstreamOf } from './fixtures.ts';

// One stack per worker: these run one after another on it.
test.describe.configure({ mode: 'default' });

/**
 * How far the page may trail the servers, in tokens, when it shows one. A proxy that holds a stream back
 * (compressing it with buffering on, nginx sent nothing of it until the buffer filled) delivers late and
 * in bursts; one that passes each frame on adds only the time to cross it and render.
 */
const MAX_TOKENS_BEHIND = 12;

function threadIdOf(url: string): string {
  const id = new URL(url).searchParams.get('thread');
  if (!id) throw new Error(`no thread in ${url}`);
  return id;
}

/**
 * How many of `tokens` `text` shows: the largest k whose first k tokens it is; -1 when it is no such prefix.
 * The page renders the reply as markdown, so both are compared as `comparable` text (where a token of
 * markup alone, such as a closing fence, adds nothing: hence the largest k).
 */
function tokensShown(tokens: readonly string[], text: string): number {
  const shown = comparable(text);
  let found = -1;
  let prefix = '';
  for (let k = 0; k <= tokens.length; k += 1) {
    if (comparable(prefix) === shown) found = k;
    prefix += tokens[k] ?? '';
  }
  return found;
}

/** Calls `window.onReplyShown(text, runState)` each time the reply's text (its markdown, not its other parts) changes. */
async function watchReply(page: Page): Promise<void> {
  await page.evaluate(() => {
    const reply = document.querySelector<HTMLElement>('[aria-label="Reply"]');
    if (!reply) throw new Error('no reply element');
    const report = (window as unknown as { onReplyShown: (text: string, state: string) => void }).onReplyShown;
    const replyText = () =>
      [...reply.querySelectorAll('[data-testid="reply-text"]')].map((el) => el.textContent).join('');
    let last = replyText();
    new MutationObserver(() => {
      const text = replyText();
      if (text !== last) report(text, reply.dataset.runState ?? '');
      last = text;
    }).observe(reply, { childList: true, characterData: true, subtree: true });
  });
}

test('each token reaches the page through nginx as the worker makes it, not in bursts', async ({
  page,
  context,
  proxyStack,
  openNewThread,
}) => {
  const threadId = threadIdOf(await openNewThread(page));
  const session = (await context.cookies()).find((cookie) => cookie.name === 'threadcast_session');
  if (!session) throw new Error('signed in, yet no session cookie');
  // A second reader of the same thread, straight from a server: how far the run has got.
  const [server] = proxyStack.servers.values();
  if (!server) throw new Error('the stack has no server');
  const direct = await followDirectly(server.url, threadId, `${session.name}=${session.value}`);
  try {
    const prompt = Array.from({ length: 20 }, (_, i) => `tick${i}`).join(' ');
    const tokens = tokenize(demoReply(prompt));
    const shown: { tokens: number; made: number; runDone: boolean; pageState: string }[] = [];
    await page.exposeFunction('onReplyShown', (text: string, pageState: string) => {
      shown.push({ tokens: tokensShown(tokens, text), made: direct.tokens, runDone: direct.done, pageState });
    });
    await watchReply(page);

    await page.getByLabel('Prompt').fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.getByRole('article', { name: 'Reply' });
    await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
    await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply(prompt)));
    await expect(reply).toHaveAttribute('data-complete', 'true');

    // The first token was on screen while the run was still going: by the page's state and by the server's.
    const first = shown.find((render) => render.tokens > 0);
    expect(first).toMatchObject({ pageState: 'running', runDone: false });
    expect(first?.made).toBeLessThan(tokens.length);
    // Every render was the reply so far, and never far behind what the servers had sent.
    for (const render of shown) {
      expect(render.tokens).toBeGreaterThanOrEqual(0);
      expect(render.made - render.tokens).toBeLessThanOrEqual(MAX_TOKENS_BEHIND);
    }
    expect(shown.at(-1)?.tokens).toBe(tokens.length);
  } finally {
    direct.close();
  }
});

test('nginx gzips the page and its script, and leaves the event stream uncompressed', async ({
  page,
  openNewThread,
}) => {
  const responses: Response[] = [];
  page.on('response', (response) => responses.push(response));
  await openNewThread(page);
  const byPath = (pattern: RegExp) => {
    const found = responses.find((response) => pattern.test(new URL(response.url()).pathname));
    if (!found) throw new Error(`no response for ${pattern}`);
    return found;
  };

  const html = byPath(/^\/$/);
  const script = byPath(/^\/assets\/.+\.js$/);
  const stream = byPath(/^\/trpc\/thread\.onEvent$/);
  for (const response of [html, script, stream]) {
    expect((await response.request().allHeaders())['accept-encoding']).toContain('gzip');
  }
  expect(await html.headerValue('content-encoding')).toBe('gzip');
  expect(await script.headerValue('content-encoding')).toBe('gzip');
  expect(await script.headerValue('vary')).toMatch(/accept-encoding/i);
  expect(await stream.headerValue('content-type')).toMatch(/^text\/event-stream/);
  expect(await stream.headerValue('content-encoding')).toBeNull();

  // And that stream is the live one: a run streams through it.
  await page.getByLabel('Prompt').fill('compress nothing');
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByRole('article', { name: 'Reply' });
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply('compress nothing')));
});

test('a run survives the server holding its stream being killed: the page resumes through the other one', async ({
  page,
  proxyStack,
  openNewThread,
}) => {
  const streams: Response[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/trpc/thread.onEvent') streams.push(response);
  });
  const renders: string[] = [];
  await page.exposeFunction('onReplyShown', (text: string) => {
    renders.push(text);
  });
  await openNewThread(page);
  await watchReply(page);

  const prompt = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByRole('article', { name: 'Reply' });
  await expect(reply.getByTestId('reply-text')).toHaveText(/word5 /);
  await expect(reply).toHaveAttribute('data-run-state', 'running');

  expect(streams).toHaveLength(1);
  const holder = await upstreamOf(streams[0] as Response);
  expect(proxyStack.servers.has(holder)).toBe(true);
  await proxyStack.killServer(holder);
  await expect(reply).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
  await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply(prompt)));
  // Every token exactly once, in order: the count and text the `done` event carries match the page's.
  await expect(reply).toHaveAttribute('data-complete', 'true');
  for (const text of renders) expect(comparable(demoReply(prompt)).startsWith(comparable(text))).toBe(true);

  expect(streams.length).toBeGreaterThan(1);
  const resumedAt = await upstreamOf(streams.at(-1) as Response);
  expect(resumedAt).not.toBe(holder);
  expect(proxyStack.servers.has(resumedAt)).toBe(true);
  const resumedFrom = (await (streams.at(-1) as Response).request().allHeaders())['last-event-id'];
  const input = new URL((streams.at(-1) as Response).url()).searchParams.get('input') ?? '';
  expect(resumedFrom ?? JSON.parse(input).lastEventId).toBeTruthy();
});

test('nginx keeps the servers’ /metrics off its public side, while each server still answers it', async ({
  request,
  proxyStack,
}) => {
  const throughProxy = await request.get(`${proxyStack.nginx.httpUrl}/metrics`);
  expect(throughProxy.status()).toBe(404);
  expect(await throughProxy.text()).not.toContain('threadcast_');
  for (const server of proxyStack.servers.values()) {
    const direct = await request.get(`${server.url}/metrics`);
    expect(direct.status()).toBe(200);
    expect(await direct.text()).toContain('threadcast_streams_open');
  }
});
