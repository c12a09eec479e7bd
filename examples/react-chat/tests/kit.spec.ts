import { expect, test } from '@threadcast/playwright';

// @threadcast/playwright on this app's own markup: Chat.tsx spreads the kit's hooks (runAttributes, partAttributes,
// connectionAttributes), and the kit's relay sits between the browser and this app's server.
test('a reply survives its connection being cut mid-run, every token shown once', async ({
  page,
  threadcast,
  network,
}) => {
  await threadcast.openThread(page);
  // The server allows 500 characters (PROMPT_MAX_CHARS).
  await threadcast.startRun(`Cut me off ${'word '.repeat(90)}`);
  await threadcast.waitForRunState(page, 'running');

  network.down();
  await expect(page).toHaveConnectionState('reconnecting');
  network.up();

  await expect(page).toHaveConnectionState('live');
  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
});
