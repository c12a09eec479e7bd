import { defineConfig } from '@playwright/test';
import type { ThreadcastOptions } from '@threadcast/playwright';

// A threadcast server on the embedded engine and this app's production build, each on its own port. The
// runner of the repository's tests picks free ports; by hand the defaults below do.
const serverPort = Number(process.env.THREADCAST_PORT ?? 4810);
const appPort = Number(process.env.EXAMPLE_PORT ?? 4811);
/** The threadcast server under test, for tests that talk to it from Node. */
export const threadcastUrl = `http://127.0.0.1:${serverPort}`;

export default defineConfig<ThreadcastOptions>({
  testDir: './tests',
  // Runs stream for a few seconds, paced; a loaded machine needs room.
  timeout: 120_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${appPort}`,
    // tests/kit.spec.ts: @threadcast/playwright on this app (its relay in front of the app's server), using the
    // threadcast server started below rather than starting one.
    threadcastUrl,
    launchOptions: {
      // Debian's Chromium (Playwright's own browser download is not needed).
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  webServer: [
    {
      // The repository's threadcast server, built (pnpm build); any threadcast server would do.
      command: 'pnpm --dir ../.. --silent --filter @threadcast/server start:prod',
      url: `${threadcastUrl}/healthz`,
      env: { PORT: String(serverPort), AGENT_TOKEN_DELAY_MS: '20', PROMPT_MAX_CHARS: '500', LOG_LEVEL: 'warn' },
      timeout: 120_000,
      reuseExistingServer: false,
    },
    {
      command: `pnpm exec vite preview --host 127.0.0.1 --port ${appPort} --strictPort`,
      url: `http://127.0.0.1:${appPort}`,
      env: { THREADCAST_URL: threadcastUrl },
      timeout: 60_000,
      reuseExistingServer: false,
    },
  ],
});
