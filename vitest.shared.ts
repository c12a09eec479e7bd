import { TEST_TIMEOUT_MS, WAIT_TIMEOUT_MS } from './packages/testkit/src/timeouts.ts';

/**
 * The `test` settings of every package's vitest.config.ts. `expect.poll` waits up to WAIT_TIMEOUT_MS by
 * default (vitest's own default, 1 s, runs out on a busy machine); tests and hooks get more than that.
 */
export const sharedTestOptions = {
  include: ['src/**/*.test.ts'],
  testTimeout: TEST_TIMEOUT_MS,
  hookTimeout: TEST_TIMEOUT_MS,
  expect: { poll: { timeout: WAIT_TIMEOUT_MS } },
};
