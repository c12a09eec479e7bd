import { expect, test } from '@threadcast/playwright';

test('a reply survives its connection being cut mid-run, every token shown once', async ({
  page,
  threadcast,
  network,
}) => {
  await threadcast.openThread(page);
  await threadcast.startRun(`Cut me off ${'word '.repeat(120)}`);
  await threadcast.waitForRunState(page, 'running');

  // The browser's offline switch leaves an open stream alone: the relay really cuts it, and refuses new ones.
  network.down();
  await expect(page).toHaveConnectionState('reconnecting');
  network.up();

  await expect(page).toHaveConnectionState('live');
  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
});
