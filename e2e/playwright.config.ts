import { defineConfig } from '@playwright/test';
import type { ThreadcastOptions } from '@threadcast/playwright';
import { RUN_TEST_TIMEOUT_MS, WAIT_TIMEOUT_MS } from '@threadcast/testkit';
import { appEnv } from './stack-env.ts';

const CI = Boolean(process.env.CI);

export default defineConfig<ThreadcastOptions>({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: CI,
  retries: CI ? 1 : 0,
  workers: 2,
  // Sized for a loaded 2-core machine (the browsers, the app processes and other suites share it); most tests
  // wait for whole paced runs of the demo agent.
  timeout: RUN_TEST_TIMEOUT_MS,
  expect: { timeout: WAIT_TIMEOUT_MS },
  reporter: CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    trace: 'retain-on-failure',
    // @threadcast/playwright starts threadcast for each Playwright worker, from the build (`dist/main.js`, as
    // production runs it; the suite's script builds the apps first).
    threadcastServer: { command: ['node', '--enable-source-maps', 'dist/main.js'], cwd: '../apps/server' },
    threadcastWorker: { command: ['node', '--enable-source-maps', 'dist/main.js'], cwd: '../apps/worker' },
    threadcastPace: Number(appEnv.AGENT_TOKEN_DELAY_MS),
    threadcastEnv: appEnv,
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    // nginx in front of two servers and a worker on Redis (proxy/proxy-stack.ts): streaming through the
    // proxy, compression, failover, HTTP/2. One worker, so that stack is started once; listed first, so
    // its tests, one after another, overlap with the other projects' instead of trailing them.
    { name: 'proxy', testDir: './proxy', workers: 1 },
    // Restart tests need the thread to outlive the server, which only Redis gives.
    { name: 'embedded', use: { threadcastEngine: 'embedded' }, testIgnore: /(resume|drain)\.spec\.ts/ },
    // The kit's own failure checks need one engine.
    { name: 'redis', use: { threadcastEngine: 'redis' }, testIgnore: /kit-detects\.spec\.ts/ },
  ],
});
