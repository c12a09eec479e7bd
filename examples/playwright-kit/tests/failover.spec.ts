import { expect, test } from '@threadcast/playwright';

// Two servers on one Redis behind a balancer, and a worker of their own: a run outlives the server that streams it.
test.use({ threadcastEngine: 'redis', threadcastServers: 2 });

test('a run keeps streaming when the server holding the page is killed', async ({ page, threadcast, servers }) => {
  await threadcast.openThread(page);
  await threadcast.startRun(`Fail over ${'word '.repeat(150)}`);
  await threadcast.waitForRunState(page, 'running');

  const holder = servers.holding();
  await servers.kill(holder);

  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
  expect(servers.running(holder)).toBe(false);
});
