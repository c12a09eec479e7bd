import { defineConfig } from '@playwright/test';
import type { ThreadcastOptions } from '@threadcast/playwright';

// A threadcast checkout two folders up, built (`pnpm build`): the kit starts its server and worker from it.
export default defineConfig<ThreadcastOptions>({
  testDir: './tests',
  // Paced runs, and on a loaded machine more: room for a whole run and a server's start.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 2,
  reporter: [['list']],
  use: {
    threadcastServer: { command: ['node', 'dist/main.js'], cwd: '../../apps/server' },
    threadcastWorker: { command: ['node', 'dist/main.js'], cwd: '../../apps/worker' },
    launchOptions: {
      // Debian's Chromium (Playwright's own browser download is not needed).
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    },
  },
});
