import { expect, test } from '@threadcast/playwright';

test('a tab opened mid-run shows the whole reply, as the tab that watched it from the start does', async ({
  page,
  context,
  threadcast,
}) => {
  await threadcast.openThread(page);
  await threadcast.startRun(`Join me late ${'word '.repeat(200)}`);
  await threadcast.waitForRunState(page, 'running');

  const late = await context.newPage();
  await threadcast.openThread(late);
  await threadcast.waitForRunState(late, 'running');

  await expect(late).toHaveStreamedRun({ exactlyOnce: true });
  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
});
