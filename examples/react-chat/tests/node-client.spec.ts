import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { createStreamingClient } from '@threadcast/client';
import { EventSource } from 'eventsource';
import { threadcastUrl } from '../playwright.config.ts';

const run = promisify(execFile);

test("docs/client.md's Node example runs as written and prints the whole reply the server stored", async () => {
  const { stdout } = await run('pnpm', ['exec', 'tsx', 'src/docs/node-client.ts'], {
    env: { ...process.env, THREADCAST_URL: threadcastUrl },
    timeout: 60_000,
  });
  const [header = '', ...reply] = stdout.split('\n');
  const runId = /^thread \S+, run (\S+)$/.exec(header)?.[1];
  expect(runId, `its first line names the run: ${header}`).toBeTruthy();

  // The run as the server stored it, asked as the same user the example signed in as.
  const url = `${threadcastUrl}/trpc`;
  const guest = createStreamingClient({ url, EventSource });
  const { token } = await guest.trpc.auth.devLogin.mutate({ name: 'node-example' });
  const client = createStreamingClient({ url, getToken: () => token, EventSource });
  const stored = await client.trpc.run.get.query({ runId: runId as string });
  expect(stored.state).toBe('done');
  expect(stored.text).toBeTruthy();
  expect(reply.join('\n')).toBe(`${stored.text}\n`);
});
