import { demoReply } from '@threadcast/runner';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, test } from '../fixtures.ts';
import { expectSameEnd, send, shown, words } from './agent-reply.ts';
import { comparable } from './shown-text.ts';

function threadIdOf(url: string): string {
  const id = new URL(url).searchParams.get('thread');
  if (!id) throw new Error(`no thread in ${url}`);
  return id;
}

test('a reply with reasoning, tools and markdown ends identical after the page goes offline mid-reasoning', async ({
  page,
  context,
  network,
  threadcast,
  openNewThread,
}) => {
  const url = await openNewThread(page);
  const prompt = `Offline while it thinks ${Date.now()} ${words(70, 'r')}`;
  const reply = await send(page, prompt);
  const reasoning = reply.locator('details.reasoning');
  await expect(reasoning.locator('.reasoning-text')).toContainText('r3 ');

  // Chromium's offline mode only refuses new connections, and the stream already open would go on: the kit's
  // relay between the page and the server cuts it.
  await context.setOffline(true);
  network.down();
  await expect(page.getByTestId('connection-state')).not.toHaveText('live');
  // Offline, nothing more arrives: the page is frozen mid-reasoning.
  await expect(reasoning.locator('summary')).toHaveText('Reasoning…');
  // Let the run go on to its end while the page cannot see it.
  await expect.poll(async () => (await threadcast.thread(threadIdOf(url))).messages.at(-1)?.state).toBe('done');
  network.up();
  await context.setOffline(false);

  await expect(page.getByTestId('connection-state')).toHaveText('live');
  await expectSameEnd(reply, context, url, prompt);
  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
});

test('a reply ends identical after the page is reloaded while a tool call streams its arguments', async ({
  page,
  context,
  openNewThread,
}) => {
  const url = await openNewThread(page);
  // 60 words: the calculator's arguments (a term per word) stream in about 40 pieces.
  const prompt = `Reload mid-arguments ${Date.now()} ${words(58, 'a')}`;
  const reply = await send(page, prompt);
  const calculator = reply.getByRole('region', { name: 'Tool calculator' });
  await expect(calculator).toHaveAttribute('data-tool-state', 'input-streaming');
  await expect(calculator.locator('.tool-args')).toContainText(' + ');

  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveText('live');
  await expectSameEnd(reply, context, url, prompt);
});

test('a second tab that joins mid-run ends with the same reply, parts and all', async ({
  page,
  context,
  openNewThread,
}) => {
  const url = await openNewThread(page);
  const prompt = `Late joiner ${Date.now()} ${words(40, 'j')}`;
  const reply = await send(page, prompt);
  await expect(reply.locator('details.reasoning .reasoning-text')).toContainText('j2 ');

  const late = await context.newPage();
  await late.goto(url);
  const lateReply = late.getByRole('article', { name: 'Reply' });
  await expect(lateReply).toHaveAttribute('data-run-state', 'running');
  for (const [tab, view] of [
    [page, reply],
    [late, lateReply],
  ] as const) {
    await expect(tab.getByTestId('connection-state')).toHaveText('live');
    await expectSameEnd(view, context, url, prompt);
  }
  expect(await shown(lateReply)).toBe(await shown(reply));
});

for (const approved of [true, false]) {
  const answer = approved ? 'Approve' : 'Deny';
  test(`${answer} in one tab resumes the run that another tab watches`, async ({ page, context, openNewThread }) => {
    const url = await openNewThread(page);
    const watcher = await context.newPage();
    await watcher.goto(url);
    await expect(watcher.getByTestId('connection-state')).toHaveText('live');

    const prompt = `Please approve a note ${Date.now()}`;
    const reply = await send(page, prompt);
    const watched = watcher.getByRole('article', { name: 'Reply' });
    for (const view of [reply, watched]) {
      await expect(view.getByRole('region', { name: 'Tool save_note' })).toHaveAttribute(
        'data-tool-state',
        'approval-requested',
      );
      await expect(view).toHaveAttribute('data-run-state', 'waiting');
    }

    await watcher.getByRole('region', { name: 'Tool save_note' }).getByRole('button', { name: answer }).click();
    for (const view of [reply, watched]) {
      const note = view.getByRole('region', { name: 'Tool save_note' });
      await expect(note).toHaveAttribute('data-tool-state', approved ? 'output-available' : 'output-denied');
      await expect(view).toHaveAttribute('data-run-state', 'done', { timeout: RUN_TIMEOUT_MS });
      await expect(view).toHaveAttribute('data-complete', 'true');
      if (!approved) await expect(note).toContainText('Denied');
    }
    await expect(reply.getByTestId('reply-text')).toHaveText(comparable(demoReply(prompt, { noteApproved: approved })));
    expect(await shown(watched)).toBe(await shown(reply));

    // The question was answered once: the first tab's buttons are gone, and it cannot answer again.
    await expect(reply.getByRole('button', { name: answer })).toHaveCount(0);
  });
}
