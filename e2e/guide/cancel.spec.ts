import { expect, test } from '@threadcast/playwright';

test('a run stopped from the page ends cancelled, showing what the thread kept', async ({ page, threadcast }) => {
  await threadcast.openThread(page);
  const { runId } = await threadcast.startRun(`Stop me ${'word '.repeat(300)}`);
  await threadcast.waitForRunState(page, 'running', { runId });

  await page.getByRole('button', { name: 'Stop', exact: true }).click();

  await threadcast.waitForRunState(page, 'cancelled', { runId });
  await expect(page).toHaveStreamedRun({ runId, exactlyOnce: true });
  expect((await threadcast.api.run(runId)).state).toBe('cancelled');
});
