import { DOM_HOOKS } from '@threadcast/contract';
import { expect, test } from '../fixtures.ts';

/** The kit's matcher must fail on what it exists to catch; `expect(…).toHaveStreamedRun()` rejecting is the pass. */
async function streamedRunFailure(run: Promise<void>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('toHaveStreamedRun passed on a page that showed the run wrongly');
}

test('toHaveStreamedRun fails when the page shows words twice, even only while the run streams', async ({
  page,
  threadcast,
}) => {
  await threadcast.openThread(page);
  await threadcast.startRun(`Glitch me ${'word '.repeat(80)}`);
  await threadcast.waitForRunState(page, 'running');
  // A glitch of the kind a reducer that applied an event twice makes: the shown text, doubled, for a moment.
  await page
    .locator(`[${DOM_HOOKS.part}="text"]`)
    .last()
    .evaluate((text) => {
      const extra = document.createTextNode(text.textContent ?? '');
      text.append(extra);
      requestAnimationFrame(() => extra.remove());
    });
  const failure = await streamedRunFailure(expect(page).toHaveStreamedRun({ exactlyOnce: true }));
  expect(failure).toMatch(/while it streamed \(render \d+ of \d+\) the page showed text that is not a beginning/);
  // The final reply is right: only the renders while it streamed caught the glitch.
  expect(failure).not.toMatch(/the text the page shows is not the thread's/);
});

test('toHaveStreamedRun fails when a word the thread has is missing from the page', async ({ page, threadcast }) => {
  await threadcast.openThread(page);
  await threadcast.startRun('Lose a word, please');
  const runId = await threadcast.waitForRunState(page, 'done');
  await page
    .locator(`[${DOM_HOOKS.part}="text"]`)
    .last()
    .evaluate((text) => {
      text.innerHTML = text.innerHTML.replace('Lose', '');
    });
  const failure = await streamedRunFailure(expect(page).toHaveStreamedRun({ runId, timeout: 10_000 }));
  expect(failure).toMatch(/the text the page shows is not the thread's: at character \d+/);
});
