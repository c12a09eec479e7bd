import { expect, test } from '../fixtures.ts';

// A rolling restart: two servers on one Redis, and the one holding the page's stream is drained (SIGTERM).
test.use({ threadcastServers: 2 });

test('a run keeps streaming, every token once, while the server holding it drains and exits', async ({
  page,
  threadcast,
  servers,
}) => {
  await threadcast.openThread(page);
  await threadcast.startRun(`Drain me ${'word '.repeat(150)}`);
  await threadcast.waitForRunState(page, 'running');

  const holder = servers.holding();
  await servers.drain(holder);
  expect(servers.running(holder)).toBe(false);

  await expect(page).toHaveStreamedRun({ exactlyOnce: true });
  await expect(page).toHaveConnectionState('live');
});
